import fs from 'node:fs';
import net from 'node:net';
import { tokenAttacks, validTestToken } from '@movies/testing';
import { Topology, type ServiceInstance, type ServiceName } from '../topology';
import { WebClient } from '../web-client';
import { reportLine } from './report';

jest.setTimeout(120_000);

/**
 * Hostile traffic against every service at once: forged tokens, a login brute force,
 * oversized and malformed bodies, and slow-loris connections. Nothing may crash, and every
 * service must still answer /readyz afterwards.
 */
describe('abuse', () => {
  let topology: Topology;
  const services = {} as Record<ServiceName, ServiceInstance>;

  beforeAll(async () => {
    topology = new Topology({ PASSWORD_SCRYPT_N: '1024' });
    services.auth = await topology.start('auth', {});
    services.data = await topology.start('data', { AUTH_URL: services.auth.url });
    services.recommendation = await topology.start('recommendation', {
      AUTH_URL: services.auth.url,
      DATA_URL: services.data.url,
    });
    services.web = await topology.start('web', {
      AUTH_URL: services.auth.url,
      DATA_URL: services.data.url,
      RECOMMENDATION_URL: services.recommendation.url,
    });
  });

  afterAll(() => topology?.stopAll());

  const allReady = async () => {
    for (const instance of Object.values(services)) {
      const response = await fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(5000) });
      expect({ service: instance.name, status: response.status }).toEqual({
        service: instance.name,
        status: 200,
      });
      expect(instance.process.child.exitCode).toBeNull();
    }
  };

  it('answers every forged token on every protected route with 401', async () => {
    const signing = {
      privateKey: fs.readFileSync(topology.keyFile, 'utf8'),
      kid: 'resilience',
      issuer: 'movies-auth',
      audience: 'movies',
    };
    const protectedRoutes: Array<[ServiceName, string, string]> = [
      ['auth', 'GET', '/me'],
      ['data', 'GET', '/ratings/me'],
      ['data', 'PUT', '/ratings/the-matrix-1999'],
      ['data', 'DELETE', '/ratings/the-matrix-1999'],
      ['recommendation', 'GET', '/recommendations'],
    ];
    // The control: the real key is accepted where the user exists, so a 401 below means rejection.
    const control = await fetch(`${services.recommendation.url}/recommendations`, {
      headers: { authorization: `Bearer ${validTestToken(signing)}` },
    });
    expect(control.status).toBe(200);
    let attempts = 0;
    for (const attack of tokenAttacks(signing)) {
      for (const [service, method, path] of protectedRoutes) {
        const response = await fetch(`${services[service].url}${path}`, {
          method,
          headers: {
            'content-type': 'application/json',
            ...(attack.authorization === undefined ? {} : { authorization: attack.authorization }),
          },
          body: method === 'PUT' ? JSON.stringify({ rating: 3 }) : undefined,
        });
        await response.arrayBuffer();
        expect({ attack: attack.name, service, path, status: response.status }).toEqual({
          attack: attack.name,
          service,
          path,
          status: 401,
        });
        attempts += 1;
      }
    }
    reportLine('abuse', `${attempts} forged-token requests, all 401`);
    await allReady();
  });

  it('throttles a login brute force with 429 and Retry-After', async () => {
    const client = new WebClient(services.web.url);
    await client.signIn('brute_target', 'the-right-password');
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 12; i += 1) {
      const response = await fetch(`${services.auth.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'brute_target', password: `guess-${i}-wrong` }),
      });
      await response.arrayBuffer();
      statuses.push(response.status);
      retryAfter ??= response.headers.get('retry-after');
    }
    reportLine('abuse', `login brute force statuses: ${statuses.join(' ')}`);
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    await allReady();
  });

  it('refuses oversized and malformed bodies with 413 and 400, never 5xx', async () => {
    const huge = JSON.stringify({ username: 'x'.repeat(200_000), password: 'y' });
    const targets: Array<[ServiceName, string, string]> = [
      ['auth', 'POST', '/register'],
      ['data', 'PUT', '/ratings/the-matrix-1999'],
      ['web', 'POST', '/api/auth/login'],
    ];
    for (const [service, method, path] of targets) {
      const headers = {
        'content-type': 'application/json',
        origin: services[service].url,
        'x-movies-csrf': '1',
      };
      const big = await fetch(`${services[service].url}${path}`, { method, headers, body: huge });
      await big.arrayBuffer();
      expect({ service, status: big.status }).toEqual({ service, status: 413 });
      const broken = await fetch(`${services[service].url}${path}`, {
        method,
        headers,
        body: '{"username": "a",',
      });
      const body = (await broken.json()) as { error?: { code?: string } };
      expect({ service, status: broken.status }).toEqual({ service, status: 400 });
      expect(body.error?.code).toEqual(expect.any(String));
    }
    await allReady();
  });

  it('stays ready while slow-loris connections trickle headers', async () => {
    const sockets: net.Socket[] = [];
    for (const instance of Object.values(services)) {
      for (let i = 0; i < 50; i += 1) {
        const socket = net.connect({ host: '127.0.0.1', port: instance.port });
        socket.on('error', () => undefined);
        socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
        sockets.push(socket);
      }
    }
    const trickle = setInterval(() => {
      for (const socket of sockets)
        if (!socket.destroyed) socket.write(`X-Slow-${Date.now()}: 1\r\n`);
    }, 500);
    try {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await allReady();
      const client = new WebClient(services.web.url);
      expect((await client.request('GET', '/api/movies?limit=3')).status).toBe(200);
      reportLine(
        'abuse',
        `${sockets.length} slow-loris connections open; all four services ready and answering`,
      );
    } finally {
      clearInterval(trickle);
      for (const socket of sockets) socket.destroy();
    }
  });
});
