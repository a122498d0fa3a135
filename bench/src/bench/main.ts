import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@movies/testing';
import { datasetFingerprint, generateDataset, type DatasetMovie } from '../dataset';
import { Topology } from '../topology';
import { DATASET_RATINGS, parseArgs, USAGE } from './args';
import { summarizeProfiles } from './profile';
import { renderMarkdown } from './report';
import { RECORDED_OPTIONS, type BenchResult, type ModeResult } from './results';
import { runMode, stopEverything, type Mode } from './scenario';
import { TokenMinter } from './seed';
import { latencyChart } from './svg';

const log = (line: string) => process.stdout.write(`bench: ${line}\n`);

/**
 * Recommendation latency against dataset size: p50/p95/p99 one request at a time (the
 * per-request cost) and p95 under load, one line each per mode.
 */
export function chartOf(modes: readonly ModeResult[]): string {
  return latencyChart(
    'GET /recommendations latency against dataset size',
    modes.flatMap((mode) => [
      ...(['p50', 'p95', 'p99'] as const).map((q) => ({
        label: `${mode.mode} ${q} unloaded`,
        points: mode.sizes.map((s) => ({ x: s.ratings, y: s.unloaded[q] })),
      })),
      {
        label: `${mode.mode} p95 under load`,
        points: mode.sizes.map((s) => ({ x: s.ratings, y: s.latency.p95 })),
      },
    ]),
  );
}

/** `npm run bench`: both stacks, one after the other, then the results files and the table. */
export async function run(argv: readonly string[]): Promise<void> {
  const options = parseArgs(argv, path.join(repoRoot, 'bench', 'results'));
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  const startedAt = new Date();
  const catalog = JSON.parse(
    fs.readFileSync(
      path.join(repoRoot, 'services', 'data', 'src', 'catalog', 'movies.json'),
      'utf8',
    ),
  ) as DatasetMovie[];
  const dataset = generateDataset({ seed: options.seed, ratings: DATASET_RATINGS, catalog });
  const fingerprint = datasetFingerprint(dataset);
  log(
    `dataset: ${dataset.users.length} users, ${dataset.movies.length} movies, ${dataset.ratings.length} ratings (${fingerprint})`,
  );

  const topology = new Topology();
  const catalogFile = path.join(topology.workDir, 'catalog.json');
  fs.writeFileSync(catalogFile, JSON.stringify(dataset.movies));
  const minter = new TokenMinter(topology.keyFile, 'resilience');
  const modes: ModeResult[] = [];
  const failures: BenchResult['failures'] = [];
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping every process the benchmark started`);
    void stopEverything()
      .then(() => topology.stopAll())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const wanted: Mode[] = [];
    if (!options.skipEmbedded) wanted.push('embedded');
    if (!options.skipMongo) wanted.push('ferretdb');
    for (const mode of wanted) {
      log(`${mode}: starting`);
      try {
        modes.push(await runMode({ mode, topology, minter, dataset, catalogFile, options, log }));
      } catch (error) {
        log(`${mode}: FAILED: ${String((error as Error)?.stack ?? error)}`);
        failures.push({ mode, error: String((error as Error)?.message ?? error) });
      }
    }
  } finally {
    await topology.stopAll();
  }

  const cpus = os.cpus();
  const result: BenchResult = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      loadAverage: os.loadavg(),
    },
    options: Object.fromEntries(
      RECORDED_OPTIONS.map((key) => [key, options[key]]),
    ) as BenchResult['options'],
    dataset: {
      users: dataset.users.length,
      movies: dataset.movies.length,
      ratings: dataset.ratings.length,
      fingerprint,
    },
    modes,
    failures,
  };
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  fs.mkdirSync(options.outDir, { recursive: true });
  const markdown = `${renderMarkdown(result)}\n![recommendation latency against dataset size](${stamp}.svg)\n`;
  fs.writeFileSync(
    path.join(options.outDir, `${stamp}.json`),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  fs.writeFileSync(path.join(options.outDir, `${stamp}.md`), markdown);
  fs.writeFileSync(path.join(options.outDir, `${stamp}.svg`), chartOf(modes));
  process.stdout.write(`\n${markdown}\n`);
  if (failures.length > 0) process.exitCode = 1;
  log(`results: ${path.join(options.outDir, stamp)}.{json,md,svg}`);
  if (options.profileDir) {
    const summary = summarizeProfiles(options.profileDir, repoRoot);
    fs.writeFileSync(path.join(options.outDir, `${stamp}-profiles.txt`), `${summary}\n`);
    process.stdout.write(`\nCPU profiles (self time):\n${summary}\n`);
  }
}
