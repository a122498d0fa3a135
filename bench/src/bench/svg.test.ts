import { escapeXml, latencyChart, niceTicks } from './svg';

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 × 10^k and reaches the maximum', () => {
    expect(niceTicks(200_000)).toEqual([0, 50_000, 100_000, 150_000, 200_000]);
    expect(niceTicks(7.3)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(0.9)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
  it('copes with nothing to show', () => {
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(Number.NaN)).toEqual([0, 1]);
  });
});

describe('latencyChart', () => {
  const svg = latencyChart('Recommendation <latency>', [
    {
      label: 'embedded p95',
      points: [
        { x: 100_000, y: 4 },
        { x: 50_000, y: 2 },
        { x: 200_000, y: 8 },
      ],
    },
    {
      label: 'ferretdb p95 & more',
      points: [
        { x: 50_000, y: Number.NaN },
        { x: 200_000, y: 6 },
      ],
    },
  ]);

  it('is one standalone SVG document with escaped text', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Recommendation &#60;latency&#62;');
    expect(svg).toContain('ferretdb p95 &#38; more');
    expect(svg).not.toMatch(/<latency>/);
  });

  it('places points on the axes: x from 0 to 200k, y from 0 to 8 ms', () => {
    // plot area: x 64..460 (396 px) for 0..200000, y 344..40 (304 px) for 0..8
    const line = /<polyline[^>]*points="([^"]+)"/.exec(svg)?.[1];
    expect(line).toBe('163.0,268.0 262.0,192.0 460.0,40.0');
  });

  it('leaves out points that could not be measured and draws no line through one point', () => {
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg.match(/<circle/g)).toHaveLength(4);
  });

  it('labels ticks in thousands', () => {
    expect(svg).toContain('>200k</text>');
    expect(svg).toContain('>8</text>');
  });

  it('escapes all XML specials', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&#60;b&#62;&#38;&#34;c&#39;');
  });
});
