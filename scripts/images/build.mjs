#!/usr/bin/env node
// `npm run images`: the four service images and the FerretDB image, built by buildah from their
// own Dockerfiles on local equivalents of the base images, written as OCI archives with their
// digests in .data/images/images.json. `--help` lists the options (README.md beside this file).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { prepare } from '../stack/prepare.mjs';
import { ensureBaseImages, baseImagesOf } from './lib/base-images.mjs';
import { buildImage } from './lib/build-image.mjs';
import { openBuildah } from './lib/buildah.mjs';
import { verifyImport } from './lib/containerd-check.mjs';
import { pruneArchives, recordImages, recordVariants } from './lib/manifest.mjs';
import { USAGE, parseOptions } from './lib/options.mjs';
import { dataDir, logsDir, repoRoot } from './lib/paths.mjs';
import { TARGETS } from './lib/targets.mjs';

const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;
const megabytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function requireCommands(commands) {
  const missing = commands.filter(
    (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0,
  );
  if (missing.length) {
    throw new Error(
      `${missing.join(', ')} not installed: run \`npm run tools\` (scripts/toolchain)`,
    );
  }
}

function prepareInputs(names) {
  const services = names.filter((name) => TARGETS[name].service);
  if (services.length) prepare(repoRoot, services);
  if (names.includes('ferretdb')) {
    // The image copies the toolchain's binary: make sure it is built from the current sources.
    const result = spawnSync(
      process.execPath,
      ['scripts/toolchain/install.mjs', '--only', 'ferretdb'],
      {
        cwd: repoRoot,
        stdio: 'inherit',
      },
    );
    if (result.status !== 0) throw new Error('the ferretdb binary could not be built');
  }
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  if (options.clean) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    console.log(`images: removed ${path.relative(repoRoot, dataDir)}`);
    return;
  }
  const started = Date.now();
  requireCommands([
    'buildah',
    'mmdebstrap',
    'runc',
    ...(options.verifyImport ? ['containerd'] : []),
  ]);
  prepareInputs(options.only);
  fs.mkdirSync(logsDir, { recursive: true });
  const log = path.join(logsDir, `build-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  console.log(`images: building ${options.only.join(', ')} (log: ${path.relative(repoRoot, log)})`);
  const buildah = await openBuildah({ log });

  const bases = [
    ...new Set(
      options.only.flatMap((name) =>
        baseImagesOf(fs.readFileSync(path.join(repoRoot, TARGETS[name].dockerfile), 'utf8')),
      ),
    ),
  ];
  for (const base of await ensureBaseImages(buildah, bases, {
    log,
    refresh: options.refreshBase,
  })) {
    console.log(
      `images: base ${base.reference} ${base.built ? `built (${seconds(base.seconds * 1000)})` : 'up to date'}`,
    );
  }

  const built = {};
  for (const name of options.only) {
    const result = await buildImage(buildah, name, {
      variant: options.variant,
      neverReady: options.neverReady,
    });
    built[name] = result;
    console.log(
      `images: ${result.repository}:${result.tag} ${result.digest} ${megabytes(result.bytes)} (${seconds(result.seconds * 1000)})`,
    );
  }
  if (options.variant) recordVariants(built, options.variant, options.neverReady);
  else recordImages(built);
  pruneArchives();

  if (options.verifyImport) {
    const rows = await verifyImport(built);
    const wrong = rows.filter((row) => row.imported !== row.expected);
    for (const row of rows) {
      console.log(`images: containerd lists ${row.ref} ${row.imported ?? '(missing)'}`);
    }
    if (wrong.length) {
      throw new Error(
        `containerd's digest differs from the manifest's for ${wrong.map((row) => `${row.name} (expected ${row.expected}, got ${row.imported ?? 'nothing'})`).join(', ')}`,
      );
    }
  }
  console.log(`images: done in ${seconds(Date.now() - started)}`);
}

main().catch((error) => {
  console.error(`images: ${error.message}`);
  process.exit(1);
});
