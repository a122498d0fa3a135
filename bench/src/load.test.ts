import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runLoad } from './load';

describe('closed-loop load generator', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/fail') res.writeHead(503);
      if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 300);
        return;
      }
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('stops at the request bound and counts outcomes by status', async () => {
    const result = await runLoad({
      baseUrl: `http://127.0.0.1:${port}`,
      connections: 4,
      durationMs: 10_000,
      maxRequests: 100,
      next: (i) => ({ path: i % 10 === 0 ? '/fail' : '/' }),
    });
    expect(result.requests).toBe(100);
    expect(result.outcomes).toEqual({ '200': 90, '503': 10 });
    expect(result.failures).toBe(10);
    expect(result.latency.count).toBe(100);
  });

  it('counts timeouts as failures', async () => {
    const result = await runLoad({
      baseUrl: `http://127.0.0.1:${port}`,
      connections: 2,
      durationMs: 10_000,
      maxRequests: 2,
      timeoutMs: 50,
      next: () => ({ path: '/slow' }),
    });
    expect(result.outcomes).toEqual({ timeout: 2 });
    expect(result.failures).toBe(2);
  });

  it('refuses a non-loopback target', async () => {
    await expect(
      runLoad({
        baseUrl: 'http://10.0.0.1:80',
        connections: 1,
        durationMs: 1,
        next: () => ({ path: '/' }),
      }),
    ).rejects.toThrow(/not a loopback address/);
  });
});
