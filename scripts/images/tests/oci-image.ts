// Reads an oci-archive the way a runtime does, without buildah: index -> manifest -> config and
// layers, and unpacks the layers in order into a root filesystem (OCI whiteouts applied).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface ImageConfig {
  User?: string;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  Env?: string[];
  ExposedPorts?: Record<string, object>;
  Labels?: Record<string, string>;
}

export interface OciImage {
  dir: string;
  index: {
    manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
  };
  manifestDigest: string;
  manifest: { config: { digest: string }; layers: Array<{ digest: string; mediaType: string }> };
  config: { config: ImageConfig; rootfs: { diff_ids: string[] } };
}

const blobPath = (dir: string, digest: string) =>
  path.join(dir, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

/** Unpacks the archive's layout into `dir` and reads its single manifest. */
export function openArchive(archive: string, dir: string): OciImage {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xf', archive, '-C', dir]);
  const index = readJson<OciImage['index']>(path.join(dir, 'index.json'));
  if (index.manifests.length !== 1) {
    throw new Error(`${archive}: expected one manifest, found ${index.manifests.length}`);
  }
  const manifestDigest = index.manifests[0]!.digest;
  const bytes = fs.readFileSync(blobPath(dir, manifestDigest));
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== manifestDigest) {
    throw new Error(`${archive}: manifest blob hashes to ${actual}, index says ${manifestDigest}`);
  }
  const manifest = JSON.parse(bytes.toString('utf8')) as OciImage['manifest'];
  const config = readJson<OciImage['config']>(blobPath(dir, manifest.config.digest));
  return { dir, index, manifestDigest, manifest, config };
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** Unpacks every layer in order into `rootfs` (as root, keeping numeric owners and modes). */
export function unpackRootfs(image: OciImage, rootfs: string): void {
  fs.mkdirSync(rootfs, { recursive: true });
  for (const layer of image.manifest.layers) {
    const file = blobPath(image.dir, layer.digest);
    const gzip = layer.mediaType.endsWith('+gzip') ? ['-z'] : [];
    const entries = execFileSync('tar', [...gzip, '-tf', file], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    })
      .split('\n')
      .filter(Boolean);
    for (const entry of entries) {
      const base = path.posix.basename(entry);
      const parent = path.join(rootfs, path.posix.dirname(entry));
      if (base === OPAQUE) {
        for (const child of fs.existsSync(parent) ? fs.readdirSync(parent) : []) {
          fs.rmSync(path.join(parent, child), { recursive: true, force: true });
        }
      } else if (base.startsWith(WHITEOUT)) {
        fs.rmSync(path.join(parent, base.slice(WHITEOUT.length)), {
          recursive: true,
          force: true,
        });
      }
    }
    execFileSync('tar', [
      ...gzip,
      '-xf',
      file,
      '-C',
      rootfs,
      '--numeric-owner',
      '--same-permissions',
      `--exclude=${WHITEOUT}*`,
    ]);
  }
}

export interface FileEntry {
  /** Absolute path inside the image. */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  uid: number;
}

/** Every entry of an unpacked root filesystem. */
export function listRootfs(rootfs: string): FileEntry[] {
  const entries: FileEntry[] = [];
  for (const entry of fs.readdirSync(rootfs, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const stat = fs.lstatSync(full);
    entries.push({
      path: `/${path.relative(rootfs, full)}`,
      type: stat.isSymbolicLink()
        ? 'symlink'
        : stat.isDirectory()
          ? 'dir'
          : stat.isFile()
            ? 'file'
            : 'other',
      mode: stat.mode & 0o7777,
      uid: stat.uid,
    });
  }
  return entries;
}
