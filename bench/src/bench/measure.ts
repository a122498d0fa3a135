import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { startProcess, type StartedProcess } from '@movies/testing';
import { summarize } from '../stats';
import type { Measurement } from './results';

export interface LoadSpec {
  url: string;
  /** Requests in rotation (paths, headers, bodies), e.g. one per user token. */
  requests: Array<{
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
  }>;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** The status that counts as success (200). */
  expectStatus?: number;
  /** Sampled for their RSS while the load runs (highest value kept in `rssPeakMiB`). */
  pids?: Record<string, number>;
}

/** VmRSS of a process in MiB, from /proc (Linux). */
export function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`/proc/${pid}/status has no VmRSS line`);
  return Number(match[1]) / 1024;
}

/** Samples RSS of several processes every intervalMs; stop() returns the peak of each. */
export function sampleRss(pids: Record<string, number>, intervalMs = 100) {
  const peaks: Record<string, number> = {};
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) {
      try {
        peaks[name] = Math.max(peaks[name] ?? 0, rssMiB(pid));
      } catch {
        // the process is gone: its last sample stays
      }
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop(): Record<string, number> {
      clearInterval(timer);
      sample();
      return peaks;
    },
  };
}

function once(spec: LoadSpec, seconds: number, record: boolean) {
  const expect = spec.expectStatus ?? 200;
  const latencies: number[] = [];
  let unexpected = 0;
  let cursor = 0;
  const started = performance.now();
  return new Promise<{ latencies: number[]; errors: number; elapsedMs: number }>(
    (resolve, reject) => {
      const instance = autocannon(
        {
          url: spec.url,
          connections: spec.connections,
          duration: seconds,
          timeout: 10,
          requests: [
            {
              // Each request takes the next one in rotation (autocannon calls this per request).
              setupRequest: (request) => {
                const next = spec.requests[cursor++ % spec.requests.length];
                return { ...request, ...next };
              },
            },
          ],
        },
        (error, result) => {
          if (error) reject(error);
          else {
            resolve({
              latencies,
              errors: unexpected + result.errors,
              elapsedMs: performance.now() - started,
            });
          }
        },
      );
      instance.on(
        'response',
        (_client: unknown, status: number, _bytes: number, responseTime: number) => {
          if (!record) return;
          if (status === expect) latencies.push(responseTime);
          else unexpected += 1;
        },
      );
    },
  );
}

/** Warm-up (discarded), then a measured autocannon run; percentiles from every response time. */
export async function measure(
  spec: LoadSpec,
): Promise<{ measurement: Measurement; rssPeakMiB: Record<string, number> }> {
  if (spec.requests.length === 0) throw new Error(`no requests to send to ${spec.url}`);
  if (spec.warmupSeconds > 0) await once(spec, spec.warmupSeconds, false);
  const sampler = sampleRss(spec.pids ?? {});
  const run = await once(spec, spec.durationSeconds, true);
  const rssPeakMiB = sampler.stop();
  const summary = summarize(run.latencies);
  return {
    measurement: {
      requests: run.latencies.length,
      errors: run.errors,
      requestsPerSecond: (run.latencies.length / run.elapsedMs) * 1000,
      p50: summary.p50,
      p95: summary.p95,
      p99: summary.p99,
    },
    rssPeakMiB,
  };
}

/** A reference server (raw node:http or bare Express 5, see ceiling-server.ts) in its own process. */
export async function startCeilingServer(
  kind: 'raw' | 'express',
): Promise<{ url: string; process: StartedProcess }> {
  const started = await startProcess(
    process.execPath,
    [path.join(__dirname, 'ceiling-server.js'), kind],
    {
      env: { PATH: process.env.PATH, NODE_ENV: 'production' },
      readyPattern: /ceiling listening on \d+/,
      timeoutMs: 10_000,
    },
  );
  const port = /ceiling listening on (\d+)/.exec(started.output())?.[1];
  return { url: `http://127.0.0.1:${port}`, process: started };
}
