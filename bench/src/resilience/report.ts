import type { LoadResult } from '../load';

/** One line of figures per scenario step, printed so a run shows what was measured. */
export function reportLoad(scenario: string, result: LoadResult): void {
  const outcomes = Object.entries(result.outcomes)
    .map(([outcome, count]) => `${outcome}×${count}`)
    .join(' ');
  process.stdout.write(
    `resilience: ${scenario}: ${result.requests} requests, ${result.failures} failed, ` +
      `p50 ${result.latency.p50.toFixed(1)} ms, p99 ${result.latency.p99.toFixed(1)} ms, ` +
      `${result.requestsPerSecond.toFixed(0)} req/s [${outcomes}]\n`,
  );
}

export function reportLine(scenario: string, text: string): void {
  process.stdout.write(`resilience: ${scenario}: ${text}\n`);
}
