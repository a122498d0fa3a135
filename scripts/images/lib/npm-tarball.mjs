// Fetches a pinned package tarball from the npm registry (the Node binary, npm itself) and
// proves it is the pinned one: the registry's metadata must state the pinned integrity, and the
// downloaded bytes must hash to it. A cached tarball is re-hashed before every use.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { run } from './run.mjs';

export function sriOf(file) {
  const hash = createHash('sha512').update(fs.readFileSync(file));
  return `sha512-${hash.digest('base64')}`;
}

/** `pin` is { package, version, integrity } from base-images.json. Resolves to the .tgz path. */
export async function fetchPinnedTarball(pin, downloadsDir) {
  const spec = `${pin.package}@${pin.version}`;
  if (!/^sha512-[A-Za-z0-9+/]{86}==$/.test(pin.integrity ?? '')) {
    throw new Error(
      `${spec}: pinned integrity ${JSON.stringify(pin.integrity)} is not a sha512 SRI`,
    );
  }
  const file = path.join(downloadsDir, `${pin.package.replace('/', '-')}-${pin.version}.tgz`);
  if (fs.existsSync(file) && sriOf(file) === pin.integrity) return file;

  const published = (await run('npm', ['view', spec, 'dist.integrity'])).trim();
  if (published !== pin.integrity) {
    throw new Error(
      `${spec}: the registry states integrity ${published || '(none)'}, base-images.json pins ${pin.integrity}`,
    );
  }
  const partial = fs.mkdtempSync(path.join(downloadsDir, '.fetch-'));
  try {
    const packed = JSON.parse(
      await run('npm', ['pack', spec, '--json', '--pack-destination', partial], { cwd: partial }),
    );
    const downloaded = path.join(partial, packed[0].filename);
    const actual = sriOf(downloaded);
    if (actual !== pin.integrity) {
      throw new Error(`${spec}: downloaded tarball hashes to ${actual}, expected ${pin.integrity}`);
    }
    fs.renameSync(downloaded, file);
  } finally {
    fs.rmSync(partial, { recursive: true, force: true });
  }
  return file;
}
