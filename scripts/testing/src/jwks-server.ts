import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestSigningKey } from './token-attacks';

export interface JwksServer {
  /** Origin to use as AUTH_URL (`http://127.0.0.1:<port>`). */
  readonly url: string;
  /** `${url}/.well-known/jwks.json` */
  readonly jwksUrl: string;
  /** How many times the JWKS was fetched. */
  fetches(): number;
  /** Makes /healthz and the JWKS answer 503 (an auth outage) or normally again. */
  setAvailable(available: boolean): void;
  stop(): Promise<void>;
}

/**
 * A stand-in for the auth service on loopback: serves the public halves of test keys as a JWKS
 * and answers /healthz, so services that verify tokens can be tested without auth itself.
 */
export async function startJwksServer(keys: readonly TestSigningKey[]): Promise<JwksServer> {
  let fetches = 0;
  let available = true;
  const jwks = {
    keys: keys.map((key) => ({
      ...key.publicKey.export({ format: 'jwk' }),
      kid: key.kid,
      alg: 'RS256',
      use: 'sig',
    })),
  };
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!available)
      return send(503, { error: { code: 'unavailable', message: 'stand-in auth is down' } });
    if (req.url === '/.well-known/jwks.json') {
      fetches += 1;
      return send(200, jwks);
    }
    if (req.url === '/healthz') return send(200, { status: 'ok' });
    return send(404, { error: { code: 'not_found', message: 'no such route' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    jwksUrl: `${url}/.well-known/jwks.json`,
    fetches: () => fetches,
    setAvailable(value) {
      available = value;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
