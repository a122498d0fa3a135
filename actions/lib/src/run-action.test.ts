import * as core from '@actions/core';
import { describeError, runAction } from './run-action';

describe('runAction', () => {
  let failed: jest.SpyInstance;
  beforeEach(() => {
    failed = jest.spyOn(core, 'setFailed').mockImplementation(() => undefined);
    jest.spyOn(core, 'debug').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('does not fail the step when main resolves', async () => {
    await runAction(async () => undefined);
    expect(failed).not.toHaveBeenCalled();
  });

  it('fails the step with the message of a thrown Error', async () => {
    await runAction(async () => {
      throw new Error('plan changed since review');
    });
    expect(failed).toHaveBeenCalledWith('plan changed since review');
  });

  it('fails the step for non-Error values too', async () => {
    await runAction(() => Promise.reject('a plain string'));
    await runAction(() => Promise.reject({ code: 42 }));
    await runAction(() => Promise.reject(undefined));
    expect(failed.mock.calls).toEqual([
      ['a plain string'],
      ['non-error thrown: {"code":42}'],
      ['non-error thrown: undefined'],
    ]);
  });

  it('describes circular objects without throwing', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(describeError(circular)).toBe('non-error thrown: [object Object]');
  });
});
