// Writes a built image as an oci-archive (a tar of an OCI image layout) named by its content:
// buildah pushes to a layout first, which gives the manifest digest (gzip layers, the digest
// containerd reports after `ctr images import`); the tag is the digest's first 12 hex, and the
// layout's index is rewritten to carry that name before it is packed. A push is done once per
// image ID: a rebuild that hits buildah's layer cache reuses the archive.
import fs from 'node:fs';
import path from 'node:path';
import { deterministicTar } from './rootfs.mjs';
import { archivesDir, tmpDir } from './paths.mjs';

export const tagOfDigest = (digest) => digest.slice('sha256:'.length, 'sha256:'.length + 12);

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Sizes of the manifest's layers (compressed, as stored) in bytes. */
function layerBytes(layout, digest) {
  const manifest = readJson(path.join(layout, 'blobs', 'sha256', digest.slice(7)));
  return manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
}

/**
 * Resolves to { digest, tag, archive, bytes } for local image `imageId`, written as
 * archives/<name>-<tag>.tar whose index names it `<imageName>:<tag>`.
 */
export async function archiveImage(buildah, imageId, name, imageName) {
  fs.mkdirSync(archivesDir, { recursive: true });
  const record = path.join(archivesDir, `${imageId}.json`);
  if (fs.existsSync(record)) {
    const known = readJson(record);
    if (fs.existsSync(known.archive)) {
      await buildah.exec(['tag', imageId, `${imageName}:${known.tag}`]);
      return known;
    }
  }
  fs.mkdirSync(tmpDir, { recursive: true });
  const layout = fs.mkdtempSync(path.join(tmpDir, `${name}-layout-`));
  try {
    const digestFile = path.join(layout, '..', `${path.basename(layout)}.digest`);
    await buildah.exec([
      'push',
      '--quiet',
      '--format',
      'oci',
      '--digestfile',
      digestFile,
      imageId,
      `oci:${layout}:${imageName}:pending`,
    ]);
    const digest = fs.readFileSync(digestFile, 'utf8').trim();
    fs.rmSync(digestFile);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
      throw new Error(`buildah push of ${imageName} wrote no manifest digest (got "${digest}")`);
    }
    const tag = tagOfDigest(digest);
    const index = readJson(path.join(layout, 'index.json'));
    const entry = index.manifests.find((manifest) => manifest.digest === digest);
    if (!entry || index.manifests.length !== 1) {
      throw new Error(`${layout}/index.json does not hold exactly the pushed manifest ${digest}`);
    }
    // containerd names an imported image by io.containerd.image.name; the OCI ref name is the tag.
    entry.annotations = {
      'io.containerd.image.name': `${imageName}:${tag}`,
      'org.opencontainers.image.ref.name': tag,
    };
    fs.writeFileSync(path.join(layout, 'index.json'), JSON.stringify(index));
    const archive = path.join(archivesDir, `${name}-${tag}.tar`);
    await deterministicTar(layout, `${archive}.partial`, 0);
    fs.renameSync(`${archive}.partial`, archive);
    const result = { digest, tag, archive, bytes: layerBytes(layout, digest) };
    fs.writeFileSync(record, `${JSON.stringify(result, null, 2)}\n`);
    await buildah.exec(['tag', imageId, `${imageName}:${tag}`]);
    return result;
  } finally {
    fs.rmSync(layout, { recursive: true, force: true });
  }
}
