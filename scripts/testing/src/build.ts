import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths';

const built = new Set<string>();

/**
 * Builds one workspace (and its references) with `tsc -b`, once per test process. Runs under
 * flock so parallel jest workers do not write the same build/ folder at the same time; tsc -b is
 * incremental, so an up-to-date build costs about a second.
 */
export function buildWorkspace(workspaceDir: string): void {
  if (built.has(workspaceDir)) return;
  const tsc = path.join(repoRoot, 'node_modules', '.bin', 'tsc');
  const result = spawnSync('flock', ['/tmp/movies-tsc-build.lock', tsc, '-b', workspaceDir], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (result.status !== 0) {
    throw new Error(
      `tsc -b ${workspaceDir} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`,
    );
  }
  built.add(workspaceDir);
}
