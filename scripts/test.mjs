#!/usr/bin/env node
// `npm test`: the whole suite from a fresh clone. Installs dependencies when node_modules is
// missing or older than the lockfile, installs the pinned toolchain (a no-op when present),
// builds and typechecks every workspace, then runs jest over all projects. Extra arguments go
// to jest (`npm test -- --selectProjects services/auth`).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dependenciesStale } from './stack/prepare.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function run(label, command, args, env = process.env) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`test: ${label} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
  console.log(`test: ${label} done (${((Date.now() - started) / 1000).toFixed(1)}s)`);
}

if (dependenciesStale(repoRoot)) {
  run('npm dependencies', 'npm', [
    fs.existsSync(path.join(repoRoot, 'package-lock.json')) ? 'ci' : 'install',
    '--no-audit',
    '--no-fund',
  ]);
}
run('toolchain', process.execPath, ['scripts/toolchain/install.mjs']);
run('build', process.execPath, ['scripts/build.mjs']);
const jest = path.join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js');
const summaryFile = path.join(
  fs.mkdtempSync(path.join(os.tmpdir(), 'jest-summary-')),
  'summary.txt',
);
const env = { ...process.env, JEST_SUMMARY_FILE: summaryFile };
if (process.env.CI) env.FORCE_COLOR = '0';
const result = spawnSync(process.execPath, [jest, '--ci', ...process.argv.slice(2)], {
  cwd: repoRoot,
  stdio: 'inherit',
  env,
});
const summary = fs.existsSync(summaryFile) ? fs.readFileSync(summaryFile, 'utf8').trim() : null;
fs.rmSync(path.dirname(summaryFile), { recursive: true, force: true });
// A jest that died before reporting still ends the run with a countable line.
console.log(`\n${summary ?? 'tests: 0 passed, 1 failed'}`);
process.exit(result.status === 0 && summary ? 0 : result.status || 1);
