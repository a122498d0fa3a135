// Builds one target from its own Dockerfile with buildah, the way BuildKit would: repository
// root as context filtered by `<Dockerfile>.dockerignore`, base images from the local store
// only. Layers are cached (--layers) and timestamps fixed (--timestamp 0), so the same inputs
// give the same image and so the same digest and tag.
//
// buildah 1.28 reads the ignore file differently from BuildKit: a directory that `**` excludes
// is dropped before the re-includes below it are seen (`COPY actions/ actions/` then finds
// nothing although `!actions/*/package.json` lets those files in). So the context buildah gets
// is a staged copy of exactly the files BuildKit's rules send (lib/dockerignore.cjs), with an
// empty ignore file.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { archiveImage } from './oci-archive.mjs';
import { TARGETS, imageNameOf, repositoryOf } from './targets.mjs';
import { repoRoot, workDir } from './paths.mjs';

const { contextFiles } = createRequire(import.meta.url)('./dockerignore.cjs');

/** A directory holding the files of the repository that the allow-list sends, and nothing else. */
export function stageContext(name, ignoreText) {
  const dir = path.join(workDir, 'contexts', name);
  fs.rmSync(dir, { recursive: true, force: true });
  const files = contextFiles(repoRoot, ignoreText);
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.cpSync(path.join(repoRoot, file), path.join(dir, file), { preserveTimestamps: true });
  }
  fs.mkdirSync(dir, { recursive: true });
  return { dir, files };
}

// What makes the never-ready variant fail: node cannot load a module it is told to preload, so
// the container exits at start, every time, and no probe is ever answered.
export const NEVER_READY_ENV = 'NODE_OPTIONS=--require=/movies-never-ready/missing.js';

/** The CA bundle this host trusts (it may include a proxy's CA), if any. */
function hostCaBundle() {
  return [
    process.env.NODE_EXTRA_CA_CERTS,
    process.env.SSL_CERT_FILE,
    '/etc/ssl/certs/ca-certificates.crt',
  ].find((file) => file && fs.existsSync(file));
}

/**
 * Bind mounts for the RUN steps only (they never reach a layer of the final image): the host's
 * CA bundle and a global npmrc that tells `npm ci` to trust it, so the registry is reached
 * exactly as the host reaches it. Nothing is mounted when the host has no bundle.
 */
function buildMounts() {
  const bundle = hostCaBundle();
  if (!bundle) return [];
  fs.mkdirSync(workDir, { recursive: true });
  const npmrc = path.join(workDir, 'build-npmrc');
  fs.writeFileSync(npmrc, 'cafile=/run/movies-build/ca.crt\n');
  return [
    '--volume',
    `${fs.realpathSync(bundle)}:/run/movies-build/ca.crt:ro`,
    // npm's global config for a node installed in /usr/local (node:*-slim).
    '--volume',
    `${npmrc}:/usr/local/etc/npmrc:ro`,
  ];
}

/**
 * A new image from `imageId` with environment variables added: a two-line Containerfile, so the
 * layers stay the same and only the config changes (ENV steps add no layer), cached by its text.
 */
async function withEnv(buildah, imageId, env, label) {
  const dir = path.join(workDir, 'variants', label);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'context'), { recursive: true });
  const containerfile = path.join(dir, 'Containerfile');
  fs.writeFileSync(
    containerfile,
    `FROM ${imageId}\n${env.map((pair) => `ENV ${pair}`).join('\n')}\n`,
  );
  const iidFile = path.join(dir, 'iid');
  await buildah.exec([
    'build',
    '--layers',
    '--force-rm',
    '--pull=never',
    '--timestamp',
    '0',
    '--format',
    'oci',
    '--file',
    containerfile,
    '--iidfile',
    iidFile,
    path.join(dir, 'context'),
  ]);
  return fs
    .readFileSync(iidFile, 'utf8')
    .trim()
    .replace(/^sha256:/, '');
}

/**
 * Builds `name` (a key of TARGETS). `variant` is a label set as GIT_SHA, so the image differs
 * from the default one only by what /version reports; `neverReady` adds NEVER_READY_ENV.
 * Resolves to the images.json entry plus { bytes, seconds }.
 *
 * The label is set on the built image (as the Dockerfile's `ENV GIT_SHA=${GIT_SHA}` would with
 * `--build-arg GIT_SHA=label`), not passed as a build arg: buildah 1.28's layer cache keys an
 * ENV step by its unexpanded text, so another GIT_SHA would reuse the cached layer, and the
 * variant's layer would then be reused by the next default build.
 */
export async function buildImage(buildah, name, { variant = null, neverReady = false } = {}) {
  const target = TARGETS[name];
  const started = Date.now();
  const dockerfile = path.join(repoRoot, target.dockerfile);
  const ignorefile = `${dockerfile}.dockerignore`;
  for (const file of [dockerfile, ignorefile]) {
    if (!fs.existsSync(file))
      throw new Error(`${name}: ${path.relative(repoRoot, file)} is missing`);
  }
  if (neverReady && !target.service) {
    throw new Error(`${name}: --never-ready applies to the node services only`);
  }
  const imageName = imageNameOf(name);
  const context = stageContext(name, fs.readFileSync(ignorefile, 'utf8'));
  const noIgnore = path.join(workDir, 'empty.dockerignore');
  fs.writeFileSync(noIgnore, '');
  const iidFile = path.join(workDir, `${name}.iid`);
  fs.rmSync(iidFile, { force: true });
  const args = [
    'build',
    '--layers',
    '--force-rm',
    '--pull=never',
    '--network=host',
    '--timestamp',
    '0',
    '--format',
    'oci',
    '--file',
    dockerfile,
    '--ignorefile',
    noIgnore,
    '--iidfile',
    iidFile,
    '--tag',
    `${imageName}:build`,
  ];
  args.push(...buildMounts(), context.dir);
  await buildah.exec(args);
  let imageId = fs
    .readFileSync(iidFile, 'utf8')
    .trim()
    .replace(/^sha256:/, '');
  if (variant) {
    const env = [`GIT_SHA=${variant}`, ...(neverReady ? [NEVER_READY_ENV] : [])];
    imageId = await withEnv(buildah, imageId, env, `${name}-${variant}`);
  }
  const archived = await archiveImage(
    buildah,
    imageId,
    variant ? `${name}-${variant}` : name,
    imageName,
  );
  return {
    repository: repositoryOf(name),
    tag: archived.tag,
    digest: archived.digest,
    archive: archived.archive,
    bytes: archived.bytes,
    imageId,
    seconds: (Date.now() - started) / 1000,
  };
}
