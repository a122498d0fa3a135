import type { BenchResult, HotRead, Measurement, ModeResult, SizePoint } from './results';

/** The targets of issue 10; the tables say where each one stands. */
export const TARGETS = {
  /** A service's hot read path: at least this share of the raw node:http ceiling's requests/s. */
  hotReadShareOfCeiling: 0.6,
  /** What going through web may add to the p50 latency of a direct call. */
  webAddedP50Ms: 1,
  /** Recommendation p95 at the largest dataset size. */
  recommendationP95Ms: 10,
  /** "Flat": p95 at the largest size at most this multiple of p95 at the smallest. */
  recommendationGrowth: 1.5,
  readyMs: 1000,
  idleRssMiB: 80,
} as const;

/** Below this many answers in a row, its percentiles say nothing and no target is judged. */
export const MIN_ANSWERS = 20;

/** The figure, or NaN when one of the measurements behind it has too few answers. */
export function judged(value: number, ...behind: Measurement[]): number {
  return behind.every((m) => m.requests >= MIN_ANSWERS) ? value : Number.NaN;
}

/** value / ceiling; NaN when the ceiling measured nothing. */
export function ratio(value: number, ceiling: number): number {
  return ceiling > 0 ? value / ceiling : Number.NaN;
}

/**
 * The p50 milliseconds web adds over calling the service directly, one request at a time (the
 * cost of the hop itself). Under saturating load on a shared machine, web's own CPU competes with
 * the upstream's and the difference mostly measures that: it is reported beside, not judged.
 */
export function webAddedP50(hot: HotRead): number {
  return hot.webUnloaded.p50 - hot.directUnloaded.p50;
}

export function webAddedP50UnderLoad(hot: HotRead): number {
  return hot.web.p50 - hot.direct.p50;
}

/**
 * Unloaded p95 at the largest size divided by the same at the smallest (1 = perfectly flat): the
 * per-request cost. Under saturating load p95 is mostly queueing (connections ÷ throughput).
 */
export function recommendationGrowth(sizes: readonly SizePoint[]): number {
  if (sizes.length < 2) return Number.NaN;
  const first = sizes[0] as SizePoint;
  const last = sizes[sizes.length - 1] as SizePoint;
  return ratio(last.unloaded.p95, first.unloaded.p95);
}

/** "yes"/"no", or "n/a" when the figure could not be measured. */
export function met(value: number, target: number, direction: 'atLeast' | 'atMost'): string {
  if (!Number.isFinite(value)) return 'n/a';
  return (direction === 'atLeast' ? value >= target : value <= target) ? 'yes' : 'no';
}

const fixed = (value: number, digits: number) =>
  Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
const ms = (value: number) => fixed(value, 2);
const percent = (value: number) =>
  Number.isFinite(value) ? `${(value * 100).toFixed(0)}%` : 'n/a';
const rps = (m: Measurement) => fixed(m.requestsPerSecond, 0);
const errors = (m: Measurement) =>
  (m.errors > 0 ? ` (${m.errors} errors)` : '') +
  (m.requests < MIN_ANSWERS ? ` (${m.requests} answers)` : '');

/** A GitHub-flavoured markdown table; cells must not contain a pipe. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  for (const row of rows) {
    if (row.length !== header.length) {
      throw new Error(
        `table row has ${row.length} cells, header has ${header.length}: ${row.join(' ')}`,
      );
    }
  }
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function hotReadRows(mode: ModeResult): string[][] {
  const ceiling = mode.ceiling.requestsPerSecond;
  const express = mode.expressCeiling.requestsPerSecond;
  const ofExpress = (m: Measurement) =>
    percent(judged(ratio(m.requestsPerSecond, express), m, mode.expressCeiling));
  const rows: string[][] = [
    [
      mode.mode,
      'raw node:http (ceiling)',
      rps(mode.ceiling) + errors(mode.ceiling),
      ms(mode.ceiling.p50),
      ms(mode.ceiling.p99),
      '100%',
      ofExpress(mode.ceiling),
      '',
      '',
    ],
    [
      mode.mode,
      'bare Express 5 (reference)',
      rps(mode.expressCeiling) + errors(mode.expressCeiling),
      ms(mode.expressCeiling.p50),
      ms(mode.expressCeiling.p99),
      percent(judged(ratio(express, ceiling), mode.expressCeiling, mode.ceiling)),
      '100%',
      '',
      '',
    ],
  ];
  for (const hot of mode.hotReads) {
    for (const [label, m] of [
      [`${hot.service} \`GET ${hot.path}\``, hot.direct],
      [`web \`GET ${hot.webPath}\``, hot.web],
    ] as const) {
      const share = judged(ratio(m.requestsPerSecond, ceiling), m, mode.ceiling);
      rows.push([
        mode.mode,
        label,
        rps(m) + errors(m),
        ms(m.p50),
        ms(m.p99),
        percent(share),
        ofExpress(m),
        `≥ ${percent(TARGETS.hotReadShareOfCeiling)}`,
        met(share, TARGETS.hotReadShareOfCeiling, 'atLeast'),
      ]);
    }
  }
  return rows;
}

function webRows(mode: ModeResult): string[][] {
  return mode.hotReads.map((hot) => {
    const added = judged(webAddedP50(hot), hot.directUnloaded, hot.webUnloaded);
    return [
      mode.mode,
      `\`${hot.webPath}\` vs \`${hot.path}\``,
      ms(hot.directUnloaded.p50),
      ms(hot.webUnloaded.p50),
      ms(added),
      ms(judged(webAddedP50UnderLoad(hot), hot.direct, hot.web)),
      `≤ ${TARGETS.webAddedP50Ms} ms`,
      met(added, TARGETS.webAddedP50Ms, 'atMost'),
    ];
  });
}

function sizeRows(mode: ModeResult): string[][] {
  const growth = recommendationGrowth(mode.sizes);
  return mode.sizes.map((point, index) => {
    const last = index === mode.sizes.length - 1;
    return [
      mode.mode,
      point.ratings.toLocaleString('en-US'),
      ms(point.unloaded.p50) + errors(point.unloaded),
      ms(point.unloaded.p95),
      ms(point.unloaded.p99),
      ms(point.latency.p95),
      rps(point.latency) + errors(point.latency),
      fixed(point.modelLoadMs, 0),
      fixed(point.seedMs, 0),
      last
        ? `p95 ≤ ${TARGETS.recommendationP95Ms} ms; growth ≤ ${TARGETS.recommendationGrowth}×`
        : '',
      last
        ? `${met(judged(point.unloaded.p95, point.unloaded), TARGETS.recommendationP95Ms, 'atMost')}; ${fixed(growth, 2)}× ${met(growth, TARGETS.recommendationGrowth, 'atMost')}`
        : '',
    ];
  });
}

function footprintRows(mode: ModeResult): string[][] {
  return mode.footprints.map((f) => [
    mode.mode,
    f.service,
    fixed(f.readyMs, 0),
    met(f.readyMs, TARGETS.readyMs, 'atMost'),
    fixed(f.idleRssMiB, 1),
    met(f.idleRssMiB, TARGETS.idleRssMiB, 'atMost'),
    fixed(f.loadRssMiB, 1),
  ]);
}

/** "7 min 12 s" from the run's start and finish times. */
export function runTime(result: Pick<BenchResult, 'startedAt' | 'finishedAt'>): string {
  const seconds = Math.round((Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000);
  if (!Number.isFinite(seconds) || seconds < 0) return 'n/a';
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** The whole run as markdown: one table per question, every mode side by side. */
export function renderMarkdown(result: BenchResult): string {
  const { options, dataset, machine } = result;
  const modes = result.modes;
  const out: string[] = [
    `# Benchmark ${result.startedAt}`,
    '',
    `Run time: ${runTime(result)} (both stacks, seeding included; the build before it is not).`,
    '',
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
      `load average at start ${machine.loadAverage.map((l) => l.toFixed(1)).join(' / ')}. ` +
      `Load: autocannon on loopback; "under load" = ${options.connections} connections, ${options.warmupSeconds} s warm-up + ` +
      `${options.durationSeconds} s per row; "unloaded" = one connection, one request at a time, ` +
      `${options.unloadedSeconds} s right after the loaded run. Dataset: seed ${options.seed}, ` +
      `${dataset.users} users, ${dataset.movies} movies, ${dataset.ratings} ratings (fingerprint ${dataset.fingerprint}).`,
    '',
    '## Hot read paths against the raw node:http ceiling (under load)',
    '',
    markdownTable(
      [
        'mode',
        'call',
        'req/s',
        'p50 ms',
        'p99 ms',
        'of ceiling',
        'of bare Express',
        'target',
        'met?',
      ],
      modes.flatMap(hotReadRows),
    ),
    '',
    '## What web adds (p50)',
    '',
    markdownTable(
      [
        'mode',
        'call',
        'direct p50 ms (unloaded)',
        'via web p50 ms (unloaded)',
        'added ms (unloaded)',
        'added ms (under load)',
        'target',
        'met?',
      ],
      modes.flatMap(webRows),
    ),
    '',
    'The target is judged on the unloaded figures: one request at a time, the difference is the',
    "cost of the extra hop. Under saturating load on 2 shared cores, web's CPU competes with the",
    "upstream's, so the loaded difference mostly measures that sharing.",
    '',
    '## Recommendation against dataset size',
    '',
    markdownTable(
      [
        'mode',
        'ratings',
        'p50 ms (unloaded)',
        'p95 ms (unloaded)',
        'p99 ms (unloaded)',
        'p95 ms (under load)',
        'req/s (under load)',
        'model load ms',
        'seed ms',
        'target',
        'met?',
      ],
      modes.flatMap(sizeRows),
    ),
    '',
    '"model load" = recommendation process start → first `/readyz` 200, which waits for the first full',
    'load of the model from data\'s change feed; "growth" = unloaded p95 at the largest size ÷ at the',
    'smallest. The p95 target is judged unloaded (the per-request cost); under load, p95 is mostly',
    'queueing: about connections ÷ throughput.',
    '',
    '## Start-up and memory',
    '',
    markdownTable(
      [
        'mode',
        'service',
        `ready ms (≤ ${TARGETS.readyMs})`,
        'met?',
        `idle RSS MiB (≤ ${TARGETS.idleRssMiB})`,
        'met?',
        'RSS under load MiB',
      ],
      modes.flatMap(footprintRows),
    ),
    '',
    '## Login (password hash bound)',
    '',
    markdownTable(
      ['mode', 'req/s', 'p50 ms', 'p99 ms', 'PASSWORD_SCRYPT_N'],
      modes.map((m) => [
        m.mode,
        rps(m.login) + errors(m.login),
        ms(m.login.p50),
        ms(m.login.p99),
        String(m.login.scryptN),
      ]),
    ),
    '',
  ];
  for (const failure of result.failures) {
    out.push(
      `**The ${failure.mode} stack failed part-way and is missing above:** ${failure.error}`,
      '',
    );
  }
  for (const mode of modes) {
    out.push(`Ratings in ${mode.mode} mode: ${mode.seedPath}.`);
    for (const note of mode.notes) out.push(`- ${note}`);
    out.push('');
  }
  return out.join('\n');
}
