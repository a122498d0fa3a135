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

/** Newest modification time of the non-test sources below dir (0 when there are none). */
function newestSource(dir) {
  if (!fs.existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const parent = entry.parentPath ?? entry.path;
    if (!entry.isFile() || /\.test\.ts$/.test(entry.name) || parent.includes('__fixtures__'))
      continue;
    newest = Math.max(newest, fs.statSync(path.join(parent, entry.name)).mtimeMs);
  }
  return newest;
}

function mtime(file) {
  return fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0;
}

/**
 * Names of the services whose build is missing or older than their sources (or the kit's).
 * `tsc -b` rewrites build/.tsbuildinfo whenever it rebuilds, and the UI build rewrites
 * build/public/index.html, so those two files date a build.
 */
export function staleBuilds(repoRoot, services) {
  const kitSources = newestSource(path.join(repoRoot, 'services', 'kit', 'src'));
  return services.filter((name) => {
    const dir = path.join(repoRoot, 'services', name);
    const built = mtime(path.join(dir, 'build', '.tsbuildinfo'));
    if (
      !fs.existsSync(path.join(dir, 'build', 'index.js')) ||
      built < Math.max(newestSource(path.join(dir, 'src')), kitSources)
    ) {
      return true;
    }
    if (name !== 'web') return false;
    const ui = mtime(path.join(dir, 'build', 'public', 'index.html'));
    return ui === 0 || ui < newestSource(path.join(dir, 'ui'));
  });
}

function run(repoRoot, label, command, args) {
  console.log(`stack: ${label}…`);
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(
      `${label} failed (\`${command} ${args.join(' ')}\` exited ${result.status ?? result.signal})`,
    );
  }
}

export function prepare(repoRoot, services) {
  if (dependenciesStale(repoRoot)) {
    const lockfile = fs.existsSync(path.join(repoRoot, 'package-lock.json'));
    run(repoRoot, 'installing npm dependencies', 'npm', [
      lockfile ? 'ci' : 'install',
      '--no-audit',
      '--no-fund',
    ]);
  }
  const stale = staleBuilds(repoRoot, services);
  if (stale.length > 0) {
    run(repoRoot, `building (${stale.join(', ')} out of date)`, process.execPath, [
      'scripts/build.mjs',
    ]);
  }
}
