import type { AddressInfo, Server } from 'node:net';
import { createService } from './service';
import { memoryLogger, testConfig } from './__fixtures__/test-support';

function buildService(overrides: Record<string, string>, failing = false) {
  const log = memoryLogger();
  let exitCode: number | undefined;
  const service = createService({
    name: 'demo',
    config: testConfig({ SERVICE_VERSION: '1.2.3', GIT_SHA: 'abc123', ...overrides }),
    logger: log.logger,
    readinessChecks: {
      database: async () => {
        if (failing) throw new Error('connect ECONNREFUSED 10.0.3.7:27017');
      },
    },
    exit: (code) => {
      exitCode = code;
    },
  });
  service.app.get('/items', (_req, res) => {
    res.json([]);
  });
  service.finish();
  return { service, log, exitCode: () => exitCode };
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

/** The ops listener's port, from the line start() logs. */
function opsPortOf(log: ReturnType<typeof memoryLogger>): number {
  const line = log.lines.find((l) => l.msg === 'demo operational endpoints listening');
  return Number(line?.opsPort);
}

describe('operational endpoints on OPS_PORT', () => {
  it('without OPS_PORT everything is on the one port (local runs, benchmarks)', async () => {
    const { service } = buildService({});
    expect(service.opsApp).toBe(service.app);
    const server = await service.start({ port: 0, host: '127.0.0.1', handleSignals: false });
    try {
      const base = `http://127.0.0.1:${portOf(server)}`;
      for (const path of ['/healthz', '/readyz', '/metrics', '/version'])
        expect([path, (await fetch(`${base}${path}`)).status]).toEqual([path, 200]);
    } finally {
      await service.shutdown('test');
    }
  });

  it('with OPS_PORT the public port serves the app and /healthz only; the ops port the rest', async () => {
    const { service, log } = buildService({ OPS_PORT: '9090' }, true);
    const server = await service.start({
      port: 0,
      opsPort: 0,
      host: '127.0.0.1',
      handleSignals: false,
    });
    try {
      const app = `http://127.0.0.1:${portOf(server)}`;
      const ops = `http://127.0.0.1:${opsPortOf(log)}`;
      expect(opsPortOf(log)).toBeGreaterThan(0);
      expect(opsPortOf(log)).not.toBe(portOf(server));
      expect((await fetch(`${app}/items`)).status).toBe(200);
      expect((await fetch(`${app}/healthz`)).status).toBe(200);
      for (const path of ['/readyz', '/metrics', '/version']) {
        const response = await fetch(`${app}${path}`);
        expect([path, response.status]).toEqual([path, 404]);
        // Nothing of the failure reasons leaks through the public port.
        expect(await response.text()).not.toContain('10.0.3.7');
      }
      const ready = await fetch(`${ops}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({
        status: 'not_ready',
        reasons: { database: 'connect ECONNREFUSED 10.0.3.7:27017' },
      });
      expect(await (await fetch(`${ops}/version`)).json()).toEqual({
        service: 'demo',
        version: '1.2.3',
        gitSha: 'abc123',
      });
      const metrics = await (await fetch(`${ops}/metrics`)).text();
      expect(metrics).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/items"/);
      expect((await fetch(`${ops}/items`)).status).toBe(404);
    } finally {
      await service.shutdown('test');
    }
  });

  it('shutdown turns /readyz on the ops port to 503 while draining, then closes both listeners', async () => {
    const { service, log, exitCode } = buildService({
      OPS_PORT: '9090',
      SHUTDOWN_DRAIN_MS: '400',
    });
    const server = await service.start({
      port: 0,
      opsPort: 0,
      host: '127.0.0.1',
      handleSignals: false,
    });
    const ops = `http://127.0.0.1:${opsPortOf(log)}`;
    expect((await fetch(`${ops}/readyz`)).status).toBe(200);
    const done = service.shutdown('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await fetch(`${ops}/readyz`)).status).toBe(503);
    await done;
    expect(exitCode()).toBe(0);
    expect(server.listening).toBe(false);
    await expect(fetch(`${ops}/healthz`)).rejects.toThrow();
  });

  it('refuses an OPS_PORT that is not a port, naming it', () => {
    expect(() => testConfig({ OPS_PORT: '70000' })).toThrow(/OPS_PORT: must be an integer 1-65535/);
  });
});
