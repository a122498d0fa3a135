import type { BenchOptions } from './args';

/** The options a result records (BenchResult['options']). */
export const RECORDED_OPTIONS = [
  'durationSeconds',
  'warmupSeconds',
  'connections',
  'unloadedSeconds',
  'sizes',
  'mongoSizes',
  'seed',
] as const;

/** One load measurement (latencies in ms, from every response, not a histogram's buckets). */
export interface Measurement {
  requests: number;
  /** Answers that were not the expected status, plus transport errors and timeouts. */
  errors: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface HotRead {
  service: 'data' | 'recommendation' | 'auth';
  /** The path called directly on the service. */
  path: string;
  /** The same call through web. */
  webPath: string;
  /** Under load (the benchmark's connections, saturating): throughput. */
  direct: Measurement;
  web: Measurement;
  /** One connection, one request at a time: the latency of a call itself. */
  directUnloaded: Measurement;
  webUnloaded: Measurement;
}

export interface SizePoint {
  ratings: number;
  /** Writing the ratings added since the previous size. */
  seedMs: number;
  /** recommendation process start → first /readyz 200 (the first full model load is part of it). */
  modelLoadMs: number;
  /** Under load (saturating). */
  latency: Measurement;
  /** One connection, one request at a time: the per-request cost. */
  unloaded: Measurement;
}

export interface ServiceFootprint {
  service: string;
  /** Process start → first /readyz 200. */
  readyMs: number;
  idleRssMiB: number;
  /** Highest RSS seen while the service was under load. */
  loadRssMiB: number;
}

export interface ModeResult {
  mode: 'embedded' | 'ferretdb';
  /** How ratings were written in this mode. */
  seedPath: string;
  ceiling: Measurement;
  /** A bare Express 5 app answering the same body: what the framework itself allows. */
  expressCeiling: Measurement;
  hotReads: HotRead[];
  sizes: SizePoint[];
  footprints: ServiceFootprint[];
  login: Measurement & { scryptN: number };
  notes: string[];
}

export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    loadAverage: number[];
  };
  /** The options that shape the figures (not where results go or what was skipped). */
  options: Pick<BenchOptions, (typeof RECORDED_OPTIONS)[number]>;
  dataset: { users: number; movies: number; ratings: number; fingerprint: string };
  modes: ModeResult[];
  /** Stacks that failed part-way: their error (the other stacks' figures still stand). */
  failures: Array<{ mode: string; error: string }>;
}
