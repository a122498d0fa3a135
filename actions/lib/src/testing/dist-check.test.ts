import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { distDifference, freshBundle } from './dist-check';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

describe('bundling and the dist check', () => {
  let actionDir: string;
  beforeAll(() => {
    actionDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-action-'));
    fs.mkdirSync(path.join(actionDir, 'src'));
    fs.writeFileSync(
      path.join(actionDir, 'src', 'index.ts'),
      "import { runAction, PROMOTION_ORDER } from '@movies/actions-lib';\n\nvoid runAction(async () => {\n  console.log(PROMOTION_ORDER.join(' -> '));\n});\n",
    );
  });
  afterAll(() => fs.rmSync(actionDir, { recursive: true, force: true }));

  jest.setTimeout(60_000);

  it('bundles deterministically, without absolute paths, from the library sources', () => {
    const first = freshBundle(actionDir);
    const second = freshBundle(actionDir);
    expect(second).toBe(first);
    expect(first).not.toContain(repoRoot);
    expect(first).toContain('// actions/lib/src/run-action.ts');
  });

  it('reports a missing, a stale and an up-to-date dist/index.js', () => {
    expect(distDifference(actionDir)).toMatch(/dist\/index\.js is missing: run `npm run bundle`/);
    fs.mkdirSync(path.join(actionDir, 'dist'), { recursive: true });
    const bundle = freshBundle(actionDir);
    fs.writeFileSync(path.join(actionDir, 'dist', 'index.js'), bundle.replace('" -> "', '" => "'));
    expect(distDifference(actionDir)).toMatch(
      /is out of date \(first difference at line \d+: committed .*=>.*, fresh .*->/,
    );
    fs.writeFileSync(path.join(actionDir, 'dist', 'index.js'), bundle);
    expect(distDifference(actionDir)).toBeNull();
  });
});
