// Makes a fresh clone runnable: installs npm dependencies when node_modules is missing or older
// than the lockfile (the rule scripts/test.mjs uses), and builds every workspace when a built
// entry point or the web UI bundle is missing or older than its sources.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export function dependenciesStale(repoRoot) {
  const installed = path.join(repoRoot, 'node_modules', '.package-lock.json');
  const lock = path.join(repoRoot, 'package-lock.json');
  if (!fs.existsSync(installed)) return true;
  return fs.existsSync(lock) && fs.statSync(lock).mtimeMs > fs.statSync(installed).mtimeMs;
}

function newestMtime(dir) {
  if (!fs.existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const mtime = fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

/** Names of the services whose build output is missing or older than their sources (or the kit's). */
export function staleBuilds(repoRoot, services) {
  const kitSources = newestMtime(path.join(repoRoot, 'services', 'kit', 'src'));
  return services.filter((name) => {
    const dir = path.join(repoRoot, 'services', name);
    const entry = path.join(dir, 'build', 'index.js');
    if (!fs.existsSync(entry)) return true;
    const built = fs.statSync(entry).mtimeMs;
    const sources = Math.max(newestMtime(path.join(dir, 'src')), newestMtime(path.join(dir, 'ui')), kitSources);
    return sources > built || (name === 'web' && !fs.existsSync(path.join(dir, 'build', 'public', 'index.html')));
  });
}

function run(repoRoot, label, command, args) {
  console.log(`stack: ${label}…`);
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`${label} failed (\`${command} ${args.join(' ')}\` exited ${result.status ?? result.signal})`);
  }
}

export function prepare(repoRoot, services) {
  if (dependenciesStale(repoRoot)) {
    const lockfile = fs.existsSync(path.join(repoRoot, 'package-lock.json'));
    run(repoRoot, 'installing npm dependencies', 'npm', [lockfile ? 'ci' : 'install', '--no-audit', '--no-fund']);
  }
  const stale = staleBuilds(repoRoot, services);
  if (stale.length > 0) {
    run(repoRoot, `building (${stale.join(', ')} out of date)`, process.execPath, ['scripts/build.mjs']);
  }
}
