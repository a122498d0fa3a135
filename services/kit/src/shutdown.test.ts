import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createService } from './service';
import { memoryLogger, testConfig } from './__fixtures__/test-support';

function get(
  port: number,
  path: string,
  agent?: http.Agent,
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      })
      .on('error', reject);
  });
}

describe('graceful shutdown', () => {
  it('turns not ready at once, lets an in-flight request finish, closes idle connections, runs closers, exits 0', async () => {
    const log = memoryLogger();
    const exits: number[] = [];
    const events: string[] = [];
    let releaseSlow: () => void = () => undefined;
    const service = createService({
      name: 'demo',
      config: testConfig({ SHUTDOWN_DRAIN_MS: '200', SHUTDOWN_GRACE_MS: '5000' }),
      logger: log.logger,
      exit: (code) => exits.push(code),
    });
    // Test-only route: this app is built here, never in a service.
    service.app.get('/slow', (_req, res) => {
      releaseSlow = () => res.json({ finished: true });
    });
    service.finish();
    service.onShutdown(() => {
      events.push('closer');
    });
    const server = await service.start({ port: 0, host: '127.0.0.1', handleSignals: false });
    const port = (server.address() as AddressInfo).port;
    const idleAgent = new http.Agent({ keepAlive: true });
    await get(port, '/healthz', idleAgent);

    const slow = get(port, '/slow');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const done = service.shutdown('test');
    expect(service.isShuttingDown()).toBe(true);
    const ready = await get(port, '/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toEqual({
      status: 'not_ready',
      reasons: { shutdown: 'shutting down' },
    });
    expect(ready.headers.connection).toBe('close');

    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(
      log.lines.some(
        (line) => line.msg === 'shutdown: closing server, waiting for in-flight requests',
      ),
    ).toBe(true);
    expect(exits).toEqual([]);
    expect(events).toEqual([]);
    releaseSlow();
    expect(JSON.parse((await slow).body)).toEqual({ finished: true });
    await done;
    expect(events).toEqual(['closer']);
    expect(exits).toEqual([0]);
    await expect(get(port, '/healthz', new http.Agent({ keepAlive: false }))).rejects.toThrow(
      /ECONNREFUSED/,
    );
    idleAgent.destroy();
  });

  it('forces exit 1 after the grace period when a request never finishes', async () => {
    const exits: number[] = [];
    const service = createService({
      name: 'demo',
      config: testConfig({ SHUTDOWN_DRAIN_MS: '0', SHUTDOWN_GRACE_MS: '300' }),
      logger: memoryLogger().logger,
      exit: (code) => exits.push(code),
    });
    let hung: http.ServerResponse | undefined;
    service.app.get('/hang', (_req, res) => {
      hung = res;
    });
    service.finish();
    const server = await service.start({ port: 0, host: '127.0.0.1', handleSignals: false });
    const port = (server.address() as AddressInfo).port;
    const request = get(port, '/hang').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    void service.shutdown('test');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(exits).toEqual([1]);
    hung?.destroy();
    server.closeAllConnections();
    await request;
  });
});
