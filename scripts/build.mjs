#!/usr/bin/env node
// Builds every workspace: one incremental `tsc -b` over all of them (type errors fail the
// build), then each workspace's own `build:assets` script where it has one (the web UI bundle).
// Action bundles (dist/) are not rebuilt here: they are committed, and a test compares them
// with a fresh bundle.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { repoRoot, listWorkspaces } = require('./workspaces.cjs');

function step(label, command, args, cwd = repoRoot) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(
      `build: ${label} failed (\`${command} ${args.join(' ')}\` in ${path.relative(repoRoot, cwd) || '.'})`,
    );
    process.exit(result.status ?? 1);
  }
  console.log(`build: ${label} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
}

const workspaces = listWorkspaces();
const tsc = path.join(repoRoot, 'node_modules', '.bin', 'tsc');
const projects = workspaces
  .filter((ws) => fs.existsSync(path.join(ws.absDir, 'tsconfig.json')))
  .map((ws) => ws.dir);
step('typescript', tsc, ['-b', ...projects]);
if (fs.existsSync(path.join(repoRoot, 'tsconfig.tests.json'))) {
  step('typecheck tests', tsc, ['-p', 'tsconfig.tests.json']);
}
for (const ws of workspaces) {
  if (ws.pkg.scripts?.['build:assets']) {
    step(`${ws.name} assets`, 'npm', ['run', '--silent', 'build:assets'], ws.absDir);
  }
}
