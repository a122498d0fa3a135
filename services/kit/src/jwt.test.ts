import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { generateTestSigningKey, tokenAttacks, validTestToken } from '@movies/testing';
import { errorHandler } from './errors';
import {
  createJwksVerifier,
  createKeySetVerifier,
  keyIdFor,
  keysFromJwks,
  publicJwk,
  requireUser,
  userOf,
  type TokenVerifier,
} from './jwt';
import { memoryLogger } from './__fixtures__/test-support';

const issuer = 'movies-auth';
const audience = 'movies';
const signing = generateTestSigningKey('key-1');
const tokenOptions = {
  privateKey: signing.privateKey,
  kid: signing.kid,
  issuer,
  audience,
  subject: 'user-42',
};

function protectedApp(verifier: TokenVerifier) {
  const app = express();
  app.get('/me', requireUser(verifier), (_req, res) => {
    res.json(userOf(res));
  });
  app.use(errorHandler(memoryLogger().logger));
  return app;
}

describe('keys and JWKS documents', () => {
  it('exports only public members with kid, alg and use', () => {
    const jwk = publicJwk('k', signing.privateKey);
    expect(jwk).toMatchObject({ kty: 'RSA', kid: 'k', alg: 'RS256', use: 'sig' });
    expect(jwk).not.toHaveProperty('d');
    expect(jwk).not.toHaveProperty('p');
  });

  it('derives a stable RFC 7638 thumbprint as key id', () => {
    expect(keyIdFor(signing.publicKey)).toBe(keyIdFor(signing.publicKey));
    expect(keyIdFor(signing.publicKey)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(keyIdFor(generateTestSigningKey().publicKey)).not.toBe(keyIdFor(signing.publicKey));
  });

  it('supports ES256 keys and refuses small RSA keys, private members and mismatched alg', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const { keys, skipped } = keysFromJwks({
      keys: [
        publicJwk('ec', ec.publicKey),
        { ...small.publicKey.export({ format: 'jwk' }), kid: 'small' },
        { ...signing.privateKey.export({ format: 'jwk' }), kid: 'private' },
        { ...publicJwk('hs', signing.publicKey), alg: 'HS256' },
        { ...publicJwk('enc', signing.publicKey), use: 'enc' },
        publicJwk('good', signing.publicKey),
      ],
    });
    expect(keys.map((key) => [key.kid, key.alg])).toEqual([
      ['ec', 'ES256'],
      ['good', 'RS256'],
    ]);
    expect(skipped).toHaveLength(4);
    expect(() => keysFromJwks({})).toThrow(/keys/);
  });
});

describe('createKeySetVerifier + requireUser', () => {
  const verifier = createKeySetVerifier({
    keys: [{ kid: signing.kid, alg: 'RS256', key: signing.publicKey }],
    issuer,
    audience,
  });
  const app = protectedApp(verifier);

  it('accepts a valid token and exposes the user id', async () => {
    await request(app)
      .get('/me')
      .set('authorization', `Bearer ${validTestToken(tokenOptions)}`)
      .expect(200, { id: 'user-42' });
  });

  it('accepts a token within the clock tolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = validTestToken(tokenOptions, { exp: now - 2 });
    await request(app).get('/me').set('authorization', `Bearer ${token}`).expect(200);
  });

  it.each(tokenAttacks(tokenOptions).map((attack) => [attack.name, attack] as const))(
    'refuses %s with the same 401',
    async (_name, attack) => {
      const call = request(app).get('/me');
      if (attack.authorization !== undefined) call.set('authorization', attack.authorization);
      const response = await call.expect(401);
      expect(response.body.error).toMatchObject({
        code: 'unauthorized',
        message: 'a valid bearer token is required',
      });
      expect(response.headers['www-authenticate']).toBe('Bearer');
    },
  );
});

describe('createJwksVerifier', () => {
  let server: http.Server;
  let jwksUrl: string;
  let served: object[];
  let fetches: number;
  let failing = false;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      fetches += 1;
      if (failing) {
        res.statusCode = 500;
        res.end('down');
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    served = [publicJwk(signing.kid, signing.publicKey)];
    fetches = 0;
    failing = false;
  });

  /** A verifier on a fake clock, so intervals pass without waiting. */
  function clockedVerifier(options: { minRefetchIntervalMs?: number; cacheMaxAgeMs?: number }) {
    const clock = { now: 1_000_000 };
    const verifier = createJwksVerifier({
      jwksUrl,
      issuer,
      audience,
      ...options,
      now: () => clock.now,
    });
    return { verifier, clock };
  }

  it('fetches once and caches keys by kid', async () => {
    const verifier = createJwksVerifier({ jwksUrl, issuer, audience });
    const token = validTestToken(tokenOptions);
    expect((await verifier.verify(token)).sub).toBe('user-42');
    await verifier.verify(token);
    expect(fetches).toBe(1);
  });

  it('refetches for an unknown kid at most once per interval (rotation)', async () => {
    const { verifier, clock } = clockedVerifier({ minRefetchIntervalMs: 30_000 });
    await verifier.verify(validTestToken(tokenOptions));
    const rotated = generateTestSigningKey('key-2');
    const rotatedToken = validTestToken({
      ...tokenOptions,
      privateKey: rotated.privateKey,
      kid: rotated.kid,
    });
    // Not published yet: refused without refetching inside the interval.
    await expect(verifier.verify(rotatedToken)).rejects.toThrow(/unknown kid/);
    await expect(verifier.verify(rotatedToken)).rejects.toThrow(/unknown kid/);
    expect(fetches).toBe(1);
    served = [...served, publicJwk(rotated.kid, rotated.publicKey)];
    clock.now += 30_000;
    expect((await verifier.verify(rotatedToken)).sub).toBe('user-42');
    expect(fetches).toBe(2);
    expect(verifier.knownKeyIds()).toEqual(['key-1', 'key-2']);
  });

  it('throws an UpstreamError (5xx, not 401) when the key set cannot be fetched', async () => {
    failing = true;
    const verifier = createJwksVerifier({ jwksUrl, issuer, audience });
    const app = protectedApp(verifier);
    const response = await request(app)
      .get('/me')
      .set('authorization', `Bearer ${validTestToken(tokenOptions)}`)
      .expect(502);
    expect(response.body.error.code).toBe('bad_gateway');
    // Within the interval the failure is reported without another fetch.
    await request(app)
      .get('/me')
      .set('authorization', `Bearer ${validTestToken(tokenOptions)}`)
      .expect(502);
    expect(fetches).toBe(1);
  });

  it('keeps known keys when a scheduled refresh fails', async () => {
    const { verifier, clock } = clockedVerifier({ cacheMaxAgeMs: 1000 });
    const token = validTestToken(tokenOptions);
    await verifier.verify(token);
    failing = true;
    clock.now += 60_000;
    expect((await verifier.verify(token)).sub).toBe('user-42');
    expect(fetches).toBe(2);
  });

  it('drops keys removed from the set after the cache age', async () => {
    const { verifier, clock } = clockedVerifier({ cacheMaxAgeMs: 1000 });
    const token = validTestToken(tokenOptions);
    await verifier.verify(token);
    served = [];
    clock.now += 60_000;
    await expect(verifier.verify(token)).rejects.toThrow(/unknown kid/);
  });
});
