import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { smokeTest } from './smoke';

async function server(
  handler: http.RequestListener,
): Promise<{ url: string; close(): Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => s.close(() => resolve())),
  };
}

describe('smokeTest', () => {
  it('retries until every path answers 2xx', async () => {
    let readyAfter = 3;
    const app = await server((req, res) => {
      if (req.url === '/readyz' && readyAfter-- > 0) res.writeHead(503).end();
      else res.writeHead(200).end('ok');
    });
    try {
      const lines: string[] = [];
      const result = await smokeTest(app.url, {
        paths: ['/healthz', '/readyz'],
        timeoutMs: 5000,
        intervalMs: 20,
        log: (l) => lines.push(l),
      });
      expect(result).toEqual({ ok: true, attempts: 4 });
      expect(lines[0]).toMatch(/attempt 1: GET http:\/\/127.0.0.1:\d+\/readyz answered 503/);
    } finally {
      await app.close();
    }
  });

  it('gives up at the deadline with the last failure', async () => {
    const app = await server((_req, res) => res.writeHead(500).end());
    try {
      const result = await smokeTest(app.url, {
        paths: ['/healthz'],
        timeoutMs: 200,
        intervalMs: 50,
      });
      expect(result.ok).toBe(false);
      expect(result.attempts).toBeGreaterThan(1);
      expect(result.lastError).toMatch(/\/healthz answered 500/);
    } finally {
      await app.close();
    }
  });

  it('reports a refused connection', async () => {
    const app = await server((_req, res) => res.end());
    await app.close();
    const result = await smokeTest(app.url, { paths: ['/healthz'], timeoutMs: 0, intervalMs: 10 });
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.lastError).toMatch(/ECONNREFUSED/);
  });
});
