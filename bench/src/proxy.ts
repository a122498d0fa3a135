import net from 'node:net';

export interface Backend {
  /** Loopback port of one instance. */
  port: number;
  /** Path of its readiness endpoint, polled like a Kubernetes readiness probe. */
  readinessPath?: string;
}

export interface ServiceProxy {
  readonly port: number;
  /** Ports currently in rotation (their last readiness probe answered 2xx). */
  ready(): number[];
  setBackends(backends: Backend[]): void;
  close(): Promise<void>;
}

/**
 * A small stand-in for a Kubernetes Service: a TCP (layer 4) round-robin proxy on loopback
 * that keeps in rotation only the backends whose readiness probe answers 2xx. Like kube-proxy,
 * it balances connections, not requests: a keep-alive connection stays on the instance it was
 * opened to, so a graceful shutdown must itself make clients reconnect.
 */
export async function startServiceProxy(
  backends: Backend[],
  options: { probeIntervalMs?: number; probeTimeoutMs?: number } = {},
): Promise<ServiceProxy> {
  const probeIntervalMs = options.probeIntervalMs ?? 200;
  const probeTimeoutMs = options.probeTimeoutMs ?? 500;
  let current = backends;
  let readyPorts = new Set<number>();
  let cursor = 0;
  const sockets = new Set<net.Socket>();

  const probe = async (backend: Backend) => {
    try {
      const response = await fetch(
        `http://127.0.0.1:${backend.port}${backend.readinessPath ?? '/readyz'}`,
        { signal: AbortSignal.timeout(probeTimeoutMs) },
      );
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  };
  const probeAll = async () => {
    const results = await Promise.all(current.map(async (b) => [b.port, await probe(b)] as const));
    readyPorts = new Set(results.filter(([, ok]) => ok).map(([port]) => port));
  };
  await probeAll();
  let probing = false;
  const timer = setInterval(() => {
    if (probing) return;
    probing = true;
    probeAll().finally(() => {
      probing = false;
    });
  }, probeIntervalMs);

  const server = net.createServer((client) => {
    const rotation = current.map((b) => b.port).filter((port) => readyPorts.has(port));
    if (rotation.length === 0) {
      client.destroy();
      return;
    }
    const port = rotation[cursor++ % rotation.length] as number;
    const upstream = net.connect({ host: '127.0.0.1', port });
    sockets.add(client);
    sockets.add(upstream);
    const cleanup = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', cleanup);
    upstream.on('error', cleanup);
    client.on('close', cleanup);
    upstream.on('close', cleanup);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address() as net.AddressInfo;

  return {
    port: address.port,
    ready: () => [...readyPorts].sort((a, b) => a - b),
    setBackends(next) {
      current = next;
    },
    async close() {
      clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
