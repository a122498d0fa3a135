import path from 'node:path';
import { distDifference } from '@movies/actions-lib/testing';

jest.setTimeout(60_000);

it('the committed dist/index.js is a fresh bundle of src/', () => {
  expect(distDifference(path.resolve(__dirname, '..'))).toBeNull();
});
