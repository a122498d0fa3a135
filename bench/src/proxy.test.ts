import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServiceProxy } from './proxy';

interface Instance {
  port: number;
  ready: boolean;
  server: http.Server;
}

async function instance(name: string): Promise<Instance> {
  const state = { ready: true } as Instance;
  const server = http.createServer((req, res) => {
    if (req.url === '/readyz') {
      res.writeHead(state.ready ? 200 : 503).end();
      return;
    }
    res.setHeader('connection', 'close');
    res.end(name);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.server = server;
  state.port = (server.address() as AddressInfo).port;
  return state;
}

async function get(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
  return response.text();
}

const until = async (check: () => boolean, timeoutMs = 3000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('service proxy (a Kubernetes Service stand-in)', () => {
  it('balances new connections over ready instances and drops one whose readiness fails', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const proxy = await startServiceProxy([{ port: a.port }, { port: b.port }], {
      probeIntervalMs: 50,
    });
    try {
      const seen = new Set<string>();
      for (let i = 0; i < 6; i += 1) seen.add(await get(proxy.port));
      expect([...seen].sort()).toEqual(['a', 'b']);

      a.ready = false;
      await until(() => proxy.ready().length === 1);
      const after = new Set<string>();
      for (let i = 0; i < 6; i += 1) after.add(await get(proxy.port));
      expect([...after]).toEqual(['b']);

      a.ready = true;
      await until(() => proxy.ready().length === 2);
    } finally {
      await proxy.close();
      a.server.close();
      b.server.close();
    }
  });

  it('refuses connections when no instance is ready', async () => {
    const a = await instance('a');
    a.ready = false;
    const proxy = await startServiceProxy([{ port: a.port }], { probeIntervalMs: 50 });
    try {
      await expect(get(proxy.port)).rejects.toThrow();
    } finally {
      await proxy.close();
      a.server.close();
    }
  });
});
