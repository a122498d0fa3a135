import {
  markdownTable,
  met,
  ratio,
  recommendationGrowth,
  renderMarkdown,
  runTime,
  webAddedP50,
  webAddedP50UnderLoad,
} from './report';
import type { BenchResult, Measurement, ModeResult } from './results';

const measurement = (
  requestsPerSecond: number,
  p50: number,
  p95 = p50 * 2,
  p99 = p50 * 3,
): Measurement => ({
  requests: Math.round(requestsPerSecond * 5),
  errors: 0,
  requestsPerSecond,
  p50,
  p95,
  p99,
});

const mode: ModeResult = {
  mode: 'embedded',
  seedPath: 'PUT /ratings/:movieId through data',
  ceiling: measurement(10_000, 1),
  expressCeiling: measurement(5000, 2),
  hotReads: [
    {
      service: 'data',
      path: '/movies/:id',
      webPath: '/api/movies/:id',
      direct: measurement(7000, 1.5),
      web: measurement(3000, 3),
      directUnloaded: measurement(2000, 0.4),
      webUnloaded: measurement(1000, 0.9),
    },
  ],
  sizes: [
    {
      ratings: 50_000,
      seedMs: 1000,
      modelLoadMs: 800,
      latency: measurement(2000, 2, 4),
      unloaded: measurement(400, 1, 2),
    },
    {
      ratings: 200_000,
      seedMs: 3000,
      modelLoadMs: 2500,
      latency: measurement(1500, 3, 12),
      unloaded: measurement(300, 1.5, 6),
    },
  ],
  footprints: [{ service: 'data', readyMs: 450, idleRssMiB: 95.5, loadRssMiB: 120 }],
  login: { ...measurement(40, 200), scryptN: 16384 },
  notes: ['auth runs with NODE_ENV=development'],
};

const result: BenchResult = {
  startedAt: '2026-11-23T23:00:00.000Z',
  finishedAt: '2026-11-23T23:08:00.000Z',
  machine: {
    cpus: 2,
    cpuModel: 'Test CPU',
    memoryGiB: 24,
    node: 'v20.19.0',
    loadAverage: [1, 2, 3],
  },
  options: {
    durationSeconds: 5,
    warmupSeconds: 1,
    connections: 16,
    unloadedSeconds: 2,
    sizes: [50_000, 200_000],
    mongoSizes: [2000],
    seed: 42,
  },
  dataset: { users: 10_000, movies: 5000, ratings: 200_000, fingerprint: 'abc' },
  modes: [mode],
  failures: [],
};

describe('figures', () => {
  it('computes ratios to the ceiling and NaN without one', () => {
    expect(ratio(6000, 10_000)).toBeCloseTo(0.6);
    expect(ratio(5, 0)).toBeNaN();
  });
  it('computes what web adds to p50 one request at a time, and under load', () => {
    expect(webAddedP50(mode.hotReads[0]!)).toBeCloseTo(0.5);
    expect(webAddedP50UnderLoad(mode.hotReads[0]!)).toBeCloseTo(1.5);
  });
  it('computes growth of the unloaded p95 from the smallest to the largest size', () => {
    expect(recommendationGrowth(mode.sizes)).toBeCloseTo(3);
    expect(recommendationGrowth(mode.sizes.slice(0, 1))).toBeNaN();
  });
  it('judges targets in both directions, and n/a without a figure', () => {
    expect(met(0.6, 0.6, 'atLeast')).toBe('yes');
    expect(met(0.59, 0.6, 'atLeast')).toBe('no');
    expect(met(1, 1, 'atMost')).toBe('yes');
    expect(met(1.01, 1, 'atMost')).toBe('no');
    expect(met(Number.NaN, 1, 'atMost')).toBe('n/a');
  });
});

describe('markdownTable', () => {
  it('renders a header, a separator and rows, escaping pipes', () => {
    expect(markdownTable(['a', 'b'], [['1', 'x|y']])).toBe(
      '| a | b |\n| --- | --- |\n| 1 | x\\|y |',
    );
  });
  it('refuses a row of the wrong width', () => {
    expect(() => markdownTable(['a', 'b'], [['1']])).toThrow('table row has 1 cells, header has 2');
  });
});

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(result);
  const row = (start: string) => markdown.split('\n').find((line) => line.startsWith(start));

  it('states the share of the ceiling and of bare Express, and whether the target is met', () => {
    expect(row('| embedded | bare Express 5')).toBe(
      '| embedded | bare Express 5 (reference) | 5000 | 2.00 | 6.00 | 50% | 100% |  |  |',
    );
    expect(row('| embedded | data `GET /movies/:id`')).toBe(
      '| embedded | data `GET /movies/:id` | 7000 | 1.50 | 4.50 | 70% | 140% | ≥ 60% | yes |',
    );
    expect(row('| embedded | web `GET /api/movies/:id`')).toBe(
      '| embedded | web `GET /api/movies/:id` | 3000 | 3.00 | 9.00 | 30% | 60% | ≥ 60% | no |',
    );
  });
  it('states what web adds, judged on the unloaded p50', () => {
    expect(row('| embedded | `/api/movies/:id` vs')).toBe(
      '| embedded | `/api/movies/:id` vs `/movies/:id` | 0.40 | 0.90 | 0.50 | 1.50 | ≤ 1 ms | yes |',
    );
  });
  it('judges recommendation p95 (unloaded) and growth at the largest size only', () => {
    expect(row('| embedded | 50,000')).toBe(
      '| embedded | 50,000 | 1.00 | 2.00 | 3.00 | 4.00 | 2000 | 800 | 1000 |  |  |',
    );
    expect(row('| embedded | 200,000')).toContain('| 1.50 | 6.00 | 4.50 | 12.00 | 1500 |');
    expect(row('| embedded | 200,000')).toContain('| yes; 3.00× no |');
  });
  it('judges readiness and idle memory', () => {
    expect(row('| embedded | data | 450')).toBe(
      '| embedded | data | 450 | yes | 95.5 | no | 120.0 |',
    );
  });
  it('reports login with the scrypt cost and the notes', () => {
    expect(row('| embedded | 40 |')).toBe('| embedded | 40 | 200.00 | 600.00 | 16384 |');
    expect(markdown).toContain('- auth runs with NODE_ENV=development');
    expect(markdown).toContain('fingerprint abc');
  });
  it('states how long the run took', () => {
    expect(markdown).toContain('Run time: 8 min 0 s');
    expect(runTime({ startedAt: '2026-11-23T23:00:00.000Z', finishedAt: 'garbage' })).toBe('n/a');
  });
  it('says which stack failed and why', () => {
    const failed = renderMarkdown({
      ...result,
      failures: [{ mode: 'ferretdb', error: 'login timed out' }],
    });
    expect(failed).toContain(
      '**The ferretdb stack failed part-way and is missing above:** login timed out',
    );
    expect(markdown).not.toContain('failed part-way');
  });
  it('judges no target on a row with too few answers', () => {
    const starved = { ...measurement(0.4, 2900), requests: 2 };
    const hot = { ...mode.hotReads[0]!, direct: starved, directUnloaded: starved };
    const text = renderMarkdown({ ...result, modes: [{ ...mode, hotReads: [hot] }] });
    expect(text).toContain(
      '| embedded | data `GET /movies/:id` | 0 (2 answers) | 2900.00 | 8700.00 | n/a | n/a | ≥ 60% | n/a |',
    );
    expect(text).toContain(
      '| embedded | `/api/movies/:id` vs `/movies/:id` | 2900.00 | 0.90 | n/a | n/a | ≤ 1 ms | n/a |',
    );
  });
  it('marks errors next to the request rate', () => {
    const failing = renderMarkdown({
      ...result,
      modes: [{ ...mode, login: { ...mode.login, errors: 3 } }],
    });
    expect(failing).toContain('| embedded | 40 (3 errors) |');
  });
});
