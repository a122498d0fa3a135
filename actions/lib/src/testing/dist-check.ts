import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const bundleScript = path.resolve(__dirname, '..', '..', 'scripts', 'bundle.mjs');

/** Bundles the action into a temp file with the same script as `npm run bundle`; returns its text. */
export function freshBundle(actionDir: string): string {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-check-'));
  try {
    const outfile = path.join(temp, 'index.js');
    const result = spawnSync(process.execPath, [bundleScript, actionDir, '--outfile', outfile], {
      encoding: 'utf8',
    });
    if (result.status !== 0)
      throw new Error(`bundling ${actionDir} failed:\n${result.stderr}${result.stdout}`);
    return fs.readFileSync(outfile, 'utf8');
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

/**
 * null when the committed `dist/index.js` equals a fresh bundle; otherwise a message naming the
 * first differing line and how to fix it.
 */
export function distDifference(actionDir: string): string | null {
  const committedFile = path.join(actionDir, 'dist', 'index.js');
  const fresh = freshBundle(actionDir);
  if (!fs.existsSync(committedFile))
    return `${committedFile} is missing: run \`npm run bundle\` in ${actionDir}`;
  const committed = fs.readFileSync(committedFile, 'utf8');
  if (committed === fresh) return null;
  const a = committed.split('\n');
  const b = fresh.split('\n');
  let line = 0;
  while (line < a.length && line < b.length && a[line] === b[line]) line++;
  return (
    `${committedFile} is out of date (first difference at line ${line + 1}: committed ${JSON.stringify(a[line] ?? '<end>')}, ` +
    `fresh ${JSON.stringify(b[line] ?? '<end>')}): run \`npm run bundle\` in ${actionDir} and commit dist/`
  );
}
