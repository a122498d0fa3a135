import { percentile, summarize } from './stats';

describe('latency statistics', () => {
  it('uses nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it('summarizes unsorted samples', () => {
    const summary = summarize([5, 1, 3, 2, 4]);
    expect(summary).toEqual({ count: 5, mean: 3, p50: 3, p95: 5, p99: 5, max: 5 });
  });

  it('reports NaN rather than zero for no samples', () => {
    expect(Number.isNaN(summarize([]).p99)).toBe(true);
  });
});
