export interface Series {
  label: string;
  /** x = dataset size (ratings), y = latency (ms). */
  points: Array<{ x: number; y: number }>;
}

const WIDTH = 720;
const HEIGHT = 400;
const MARGIN = { left: 64, right: 260, top: 40, bottom: 56 };
/** Ten distinguishable colours (two stacks × four lines fit without a repeat). */
const COLOURS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** 1, 2 or 5 × 10^k steps giving about `count` ticks from 0 to at least `max`. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
  const ticks: number[] = [];
  for (let value = 0; value < max + step; value += step) {
    ticks.push(Number(value.toPrecision(12)));
    if (value >= max) break;
  }
  return ticks;
}

const label = (value: number) =>
  value >= 1000 && value % 1000 === 0 ? `${value / 1000}k` : String(Number(value.toFixed(2)));

/**
 * A line chart as a standalone SVG document: latency (y, from 0) against dataset size (x, from 0),
 * one coloured line with dots per series and a legend. Non-finite points are left out.
 */
export function latencyChart(title: string, series: readonly Series[]): string {
  const clean = series.map((s) => ({
    label: s.label,
    points: s.points
      .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
      .sort((a, b) => a.x - b.x),
  }));
  const all = clean.flatMap((s) => s.points);
  const xTicks = niceTicks(Math.max(1, ...all.map((p) => p.x)));
  const yTicks = niceTicks(Math.max(0.001, ...all.map((p) => p.y)));
  const xMax = xTicks[xTicks.length - 1] as number;
  const yMax = yTicks[yTicks.length - 1] as number;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + (x / xMax) * plotW;
  const sy = (y: number) => MARGIN.top + plotH - (y / yMax) * plotH;
  const r = (n: number) => n.toFixed(1);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  ];
  for (const tick of yTicks) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${r(sy(tick))}" y2="${r(sy(tick))}" stroke="#e0e0e0"/>`,
      `<text x="${MARGIN.left - 6}" y="${r(sy(tick) + 4)}" text-anchor="end">${label(tick)}</text>`,
    );
  }
  for (const tick of xTicks) {
    parts.push(
      `<line x1="${r(sx(tick))}" x2="${r(sx(tick))}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 5}" stroke="#333"/>`,
      `<text x="${r(sx(tick))}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${label(tick)}</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 14}" text-anchor="middle">ratings in the dataset</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">latency (ms)</text>`,
  );
  clean.forEach((s, index) => {
    const colour = COLOURS[index % COLOURS.length] as string;
    if (s.points.length > 1) {
      const points = s.points.map((p) => `${r(sx(p.x))},${r(sy(p.y))}`).join(' ');
      parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points}"/>`);
    }
    for (const p of s.points) {
      parts.push(`<circle cx="${r(sx(p.x))}" cy="${r(sy(p.y))}" r="3.5" fill="${colour}"/>`);
    }
    const y = MARGIN.top + 10 + index * 20;
    const x = MARGIN.left + plotW + 16;
    parts.push(
      `<line x1="${x}" x2="${x + 18}" y1="${y}" y2="${y}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${x + 24}" y="${y + 4}">${escapeXml(s.label)}</text>`,
    );
  });
  parts.push('</svg>', '');
  return parts.join('\n');
}
