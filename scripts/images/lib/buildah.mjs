// buildah with the project's own storage (.data/images/storage), never /var/lib/containers.
// The storage driver is overlay where the kernel allows it, vfs otherwise; the choice is kept
// beside the storage, because a storage created by one driver cannot be read by the other.
import fs from 'node:fs';
import path from 'node:path';
import { run } from './run.mjs';
import { storageRoot, storageRunRoot, tmpDir } from './paths.mjs';

const DRIVERS = ['overlay', 'vfs'];
const driverFile = path.join(storageRoot, '..', 'storage-driver');

export class Buildah {
  constructor(driver, { log } = {}) {
    this.driver = driver;
    this.log = log;
  }

  get globalArgs() {
    return ['--root', storageRoot, '--runroot', storageRunRoot, '--storage-driver', this.driver];
  }

  get env() {
    // Big temporary files (layer diffs, archives being written) go beside the storage.
    return { ...process.env, TMPDIR: tmpDir, BUILDAH_ISOLATION: 'oci' };
  }

  async exec(args, options = {}) {
    fs.mkdirSync(tmpDir, { recursive: true });
    return run('buildah', [...this.globalArgs, ...args], {
      env: this.env,
      log: this.log,
      ...options,
    });
  }

  /** The image's local metadata, or null when the store has no image of that name. */
  async inspectImage(name) {
    try {
      return JSON.parse(await this.exec(['inspect', '--type', 'image', name]));
    } catch (error) {
      if (/image not known|not found|no such image|unable to find/i.test(error.message))
        return null;
      throw error;
    }
  }
}

async function driverWorks(driver) {
  const probe = new Buildah(driver);
  try {
    const container = (await probe.exec(['from', '--quiet', 'scratch'])).trim();
    try {
      await probe.exec(['mount', container]);
      await probe.exec(['umount', container]);
    } finally {
      await probe.exec(['rm', container]);
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * The buildah to use: the driver recorded for the existing storage, or the first that works
 * (MOVIES_IMAGES_STORAGE_DRIVER forces one for a new storage).
 */
export async function openBuildah(options) {
  if (fs.existsSync(driverFile)) {
    return new Buildah(fs.readFileSync(driverFile, 'utf8').trim(), options);
  }
  const forced = process.env.MOVIES_IMAGES_STORAGE_DRIVER;
  if (forced && !DRIVERS.includes(forced)) {
    throw new Error(
      `MOVIES_IMAGES_STORAGE_DRIVER=${forced}: expected one of ${DRIVERS.join(', ')}`,
    );
  }
  for (const driver of forced ? [forced] : DRIVERS) {
    if (await driverWorks(driver)) {
      fs.mkdirSync(path.dirname(driverFile), { recursive: true });
      fs.writeFileSync(driverFile, `${driver}\n`);
      return new Buildah(driver, options);
    }
    fs.rmSync(storageRoot, { recursive: true, force: true });
    fs.rmSync(storageRunRoot, { recursive: true, force: true });
  }
  throw new Error(
    `buildah cannot use its storage under ${storageRoot} with any of: ${(forced ? [forced] : DRIVERS).join(', ')} (is buildah installed? \`npm run tools\`)`,
  );
}
