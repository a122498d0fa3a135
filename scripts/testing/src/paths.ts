import fs from 'node:fs';
import path from 'node:path';

/** The repository root, found from this file so tests work from any working directory. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

export const toolsBinDir = path.join(repoRoot, '.tools', 'bin');

/**
 * Absolute path of a pinned tool installed by `npm run tools` (scripts/toolchain/tools.json).
 * Throws a message that says how to install it instead of letting a spawn fail with ENOENT.
 */
export function toolPath(name: string): string {
  const binary = path.join(toolsBinDir, name);
  if (!fs.existsSync(binary)) {
    throw new Error(`tool "${name}" is not installed at ${binary}: run \`npm run tools\``);
  }
  return binary;
}
