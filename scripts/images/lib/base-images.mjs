// Builds the local equivalents of the base images the Dockerfiles name (base-images.json) into
// buildah's storage under exactly those names. Each image carries a label with the hash of its
// inputs (recipe, apt sources, pinned tarballs, this code); an image whose label matches is
// kept, so only the first run pays for mmdebstrap.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchPinnedTarball } from './npm-tarball.mjs';
import { deterministicTar, distrolessTree, hostAptSources, mmdebstrap } from './rootfs.mjs';
import { run } from './run.mjs';
import { downloadsDir, imagesDir, workDir } from './paths.mjs';

export const INPUTS_LABEL = 'io.movies.base.inputs';
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function loadBaseConfig() {
  return JSON.parse(fs.readFileSync(path.join(imagesDir, 'base-images.json'), 'utf8'));
}

const ownSources = [
  fileURLToPath(import.meta.url),
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'rootfs.mjs'),
];

function inputsKey(config, reference, sources) {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({ reference, image: config.images[reference], debian: config.debian }),
  );
  if (config.images[reference].kind === 'node-slim' || config.images[reference].node) {
    hash.update(JSON.stringify([config.node, config.npm]));
  }
  for (const source of sources) hash.update(source.file).update(source.text);
  for (const file of ownSources) hash.update(fs.readFileSync(file));
  return hash.digest('hex').slice(0, 32);
}

async function extractTgz(tgz, dir) {
  fs.mkdirSync(dir, { recursive: true });
  await run('tar', ['-xzf', tgz, '-C', dir, '--no-same-owner']);
  return path.join(dir, 'package');
}

class BaseImageBuilder {
  constructor(buildah, config, { log, refresh }) {
    this.buildah = buildah;
    this.config = config;
    this.log = log;
    this.refresh = refresh;
    this.sources = hostAptSources(config.debian.suite);
    this.epoch = config.debian.sourceDateEpoch;
    this.work = path.join(workDir, 'base');
    this.distrolessRootfs = null;
    this.nodePackage = null;
  }

  /** The node binary package, unpacked once per run. */
  async node() {
    if (!this.nodePackage) {
      fs.mkdirSync(downloadsDir, { recursive: true });
      const nodeTgz = await fetchPinnedTarball(this.config.node, downloadsDir);
      const npmTgz = await fetchPinnedTarball(this.config.npm, downloadsDir);
      const root = path.join(this.work, 'npm-packages');
      fs.rmSync(root, { recursive: true, force: true });
      this.nodePackage = {
        node: await extractTgz(nodeTgz, path.join(root, 'node')),
        npm: await extractTgz(npmTgz, path.join(root, 'npm')),
      };
      const found = (await run(path.join(this.nodePackage.node, 'bin', 'node'), ['--version']))
        .trim()
        .replace(/^v/, '');
      if (found !== this.config.node.version) {
        throw new Error(
          `${this.config.node.package}@${this.config.node.version} ships node ${found}`,
        );
      }
    }
    return this.nodePackage;
  }

  /** A tarball holding node (and for node:*-slim npm and npx) where the real image has them. */
  async nodeLayer(kind) {
    const { node, npm } = await this.node();
    const stage = path.join(this.work, `${kind}-node`);
    fs.rmSync(stage, { recursive: true, force: true });
    const binDir = kind === 'node-slim' ? 'usr/local/bin' : 'nodejs/bin';
    fs.mkdirSync(path.join(stage, binDir), { recursive: true });
    fs.copyFileSync(path.join(node, 'bin', 'node'), path.join(stage, binDir, 'node'));
    fs.chmodSync(path.join(stage, binDir, 'node'), 0o755);
    if (kind === 'node-slim') {
      const npmDir = path.join(stage, 'usr', 'local', 'lib', 'node_modules', 'npm');
      fs.mkdirSync(path.dirname(npmDir), { recursive: true });
      fs.cpSync(npm, npmDir, { recursive: true });
      for (const cli of ['npm', 'npx']) {
        fs.chmodSync(path.join(npmDir, 'bin', `${cli}-cli.js`), 0o755);
        fs.symlinkSync(
          `../lib/node_modules/npm/bin/${cli}-cli.js`,
          path.join(stage, 'usr', 'local', 'bin', cli),
        );
      }
    }
    const tar = `${stage}.tar`;
    await deterministicTar(stage, tar, this.epoch);
    return tar;
  }

  async slimRootfs() {
    const tar = path.join(this.work, 'node-slim-rootfs.tar');
    fs.rmSync(tar, { force: true });
    await mmdebstrap({
      suite: this.config.debian.suite,
      sources: this.sources,
      output: tar,
      slim: true,
      // The official node images run as root by default but ship this user for `USER node`.
      hooks: [
        'chroot "$1" groupadd --gid 1000 node',
        'chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node',
      ],
      sourceDateEpoch: this.epoch,
      log: this.log,
    });
    return tar;
  }

  /** One installed bookworm tree that every distroless image picks its files from. */
  async distrolessSource() {
    if (!this.distrolessRootfs) {
      const dir = path.join(this.work, 'distroless-source');
      fs.rmSync(dir, { recursive: true, force: true });
      const packages = new Set(
        Object.values(this.config.images).flatMap((image) => image.packages ?? []),
      );
      await mmdebstrap({
        suite: this.config.debian.suite,
        sources: this.sources,
        output: dir,
        include: [...packages].sort(),
        sourceDateEpoch: this.epoch,
        log: this.log,
      });
      this.distrolessRootfs = dir;
    }
    return this.distrolessRootfs;
  }

  async distrolessRootfsTar(reference, image) {
    const stage = path.join(this.work, `${image.name.replace(/[/:]/g, '_')}-rootfs`);
    fs.rmSync(stage, { recursive: true, force: true });
    distrolessTree(await this.distrolessSource(), stage, image.packages);
    const tar = `${stage}.tar`;
    await deterministicTar(stage, tar, this.epoch);
    return tar;
  }

  async build(reference) {
    const image = this.config.images[reference];
    const key = inputsKey(this.config, reference, this.sources);
    const existing = await this.buildah.inspectImage(image.name);
    if (!this.refresh && existing?.OCIv1?.config?.Labels?.[INPUTS_LABEL] === key) {
      return { reference, name: image.name, built: false };
    }
    fs.mkdirSync(this.work, { recursive: true });
    const layers =
      image.kind === 'node-slim'
        ? [await this.slimRootfs(), await this.nodeLayer('node-slim')]
        : [
            await this.distrolessRootfsTar(reference, image),
            ...(image.node ? [await this.nodeLayer('distroless')] : []),
          ];
    const config =
      image.kind === 'node-slim'
        ? ['--env', PATH_ENV, '--env', `NODE_VERSION=${this.config.node.version}`, '--cmd', 'node']
        : [
            '--env',
            PATH_ENV,
            '--env',
            'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
            '--user',
            '65532:65532',
            '--workingdir',
            '/home/nonroot',
            ...(image.node ? ['--entrypoint', '["/nodejs/bin/node"]'] : []),
          ];
    const container = (await this.buildah.exec(['from', '--quiet', 'scratch'])).trim();
    try {
      for (const layer of layers)
        await this.buildah.exec(['add', '--quiet', container, layer, '/']);
      await this.buildah.exec([
        'config',
        '--os',
        'linux',
        '--arch',
        'amd64',
        '--label',
        `${INPUTS_LABEL}=${key}`,
        '--created-by',
        `scripts/images: local equivalent of ${reference}`,
        ...config,
        container,
      ]);
      await this.buildah.exec([
        'commit',
        '--quiet',
        '--timestamp',
        String(this.epoch),
        container,
        image.name,
      ]);
    } finally {
      await this.buildah.exec(['rm', container]).catch(() => {});
    }
    return { reference, name: image.name, built: true };
  }
}

/** The FROM images of a Dockerfile that are not its own stages. */
export function baseImagesOf(dockerfileText) {
  const stages = new Set();
  const bases = [];
  for (const line of dockerfileText.split('\n')) {
    const match = line.match(/^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i);
    if (!match) continue;
    if (!stages.has(match[1]) && match[1] !== 'scratch') bases.push(match[1]);
    if (match[2]) stages.add(match[2]);
  }
  return bases;
}

/** Ensures each named base image exists and is current; resolves to what was (re)built. */
export async function ensureBaseImages(buildah, references, { log, refresh = false } = {}) {
  const config = loadBaseConfig();
  const unknown = references.filter((reference) => !config.images[reference]);
  if (unknown.length) {
    throw new Error(
      `no local equivalent for base image(s) ${unknown.join(', ')}: add them to scripts/images/base-images.json`,
    );
  }
  const builder = new BaseImageBuilder(buildah, config, { log, refresh });
  const results = [];
  for (const reference of references) {
    const started = Date.now();
    const result = await builder.build(reference);
    results.push({ ...result, seconds: (Date.now() - started) / 1000 });
  }
  fs.rmSync(builder.work, { recursive: true, force: true });
  return results;
}
