// Where the image build keeps its state: everything under the gitignored .data/images, so
// `rm -rf .data/images` (or `node scripts/images/build.mjs --clean`) removes all of it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
);
export const imagesDir = path.join(repoRoot, 'scripts', 'images');
export const dataDir = path.join(repoRoot, '.data', 'images');
export const manifestFile = path.join(dataDir, 'images.json');
export const variantsFile = path.join(dataDir, 'variants.json');
export const archivesDir = path.join(dataDir, 'archives');
export const logsDir = path.join(dataDir, 'logs');
export const downloadsDir = path.join(dataDir, 'downloads');
export const workDir = path.join(dataDir, 'work');
export const storageRoot = path.join(dataDir, 'storage');
export const storageRunRoot = path.join(dataDir, 'run');
export const tmpDir = path.join(dataDir, 'tmp');
