import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { ConfigError, createLogger, loadConfig } from '@movies/kit';
import { StandInUpstream } from './__fixtures__/stand-in-upstream';
import { createWebService } from './app';
import { webConfigShape, type WebConfig } from './config';

const auth = new StandInUpstream('auth');
const data = new StandInUpstream('data');
const recommendation = new StandInUpstream('recommendation');
const publicDir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-public-'));
const HOST = '127.0.0.1:8080';
const ORIGIN = `http://${HOST}`;

function config(overrides: Record<string, string> = {}): WebConfig {
  return loadConfig(webConfigShape, {
    AUTH_URL: auth.url,
    DATA_URL: data.url,
    RECOMMENDATION_URL: recommendation.url,
    UPSTREAM_TIMEOUT_MS: '1500',
    PUBLIC_DIR: publicDir,
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

function web(overrides: Record<string, string> = {}) {
  return createWebService(config(overrides), {
    logger: createLogger({ service: 'web', level: 'silent' }),
    readinessCacheMs: 0,
  }).app;
}

/** A state-changing request as the UI sends it: same origin plus the CSRF header. */
function fromPage<T extends request.Test>(test: T): T {
  return test.set('Host', HOST).set('Origin', ORIGIN).set('x-movies-csrf', '1') as T;
}

beforeAll(async () => {
  fs.writeFileSync(path.join(publicDir, 'index.html'), '<!doctype html><title>Movies</title>');
  await Promise.all([auth.start(), data.start(), recommendation.start()]);
});

afterAll(async () => {
  await Promise.all([auth.stop(), data.stop(), recommendation.stop()]);
  fs.rmSync(publicDir, { recursive: true, force: true });
});

beforeEach(() => {
  for (const upstream of [auth, data, recommendation]) {
    upstream.requests.length = 0;
    upstream.reply(() => ({ status: 200, body: { from: upstream.name } }));
  }
});

describe('configuration', () => {
  it('refuses to start without an upstream address and names every missing one', () => {
    const attempt = () => loadConfig(webConfigShape, { DATA_URL: 'http://127.0.0.1:1' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/AUTH_URL: required/);
    expect(attempt).toThrow(/RECOMMENDATION_URL: required/);
    expect(attempt).not.toThrow(/DATA_URL/);
  });

  it('defaults to port 8080, a 5 s upstream timeout and no trusted proxy', () => {
    const loaded = loadConfig(webConfigShape, {
      AUTH_URL: 'http://a',
      DATA_URL: 'http://d',
      RECOMMENDATION_URL: 'http://r',
    });
    expect(loaded).toMatchObject({ PORT: 8080, UPSTREAM_TIMEOUT_MS: 5000, TRUST_PROXY: 0 });
  });
});

describe('routing', () => {
  it.each([
    [
      'GET',
      '/api/movies?q=matrix&genre=Drama&limit=5&cursor=abc',
      'data',
      '/movies?q=matrix&genre=Drama&limit=5&cursor=abc',
    ],
    ['GET', '/api/movies/the-matrix-1999', 'data', '/movies/the-matrix-1999'],
    ['GET', '/api/genres', 'data', '/genres'],
    ['GET', '/api/ratings/me', 'data', '/ratings/me'],
    ['DELETE', '/api/ratings/the-matrix-1999', 'data', '/ratings/the-matrix-1999'],
    ['GET', '/api/recommendations?limit=3', 'recommendation', '/recommendations?limit=3'],
    ['GET', '/api/auth/me', 'auth', '/me'],
  ])('%s %s goes to %s %s', async (method, url, upstreamName, expected) => {
    const upstream = { auth, data, recommendation }[
      upstreamName as 'auth' | 'data' | 'recommendation'
    ];
    const agent = request(web());
    const call = method === 'GET' ? agent.get(url) : agent.delete(url);
    const test = call.set('Cookie', 'movies_session=t0k3n');
    const response = await (method === 'GET' ? test : fromPage(test));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ from: upstream.name });
    expect(upstream.requests.map((seen) => `${seen.method} ${seen.url}`)).toEqual([
      `${method} ${expected}`,
    ]);
  });

  it('passes a rating body as JSON', async () => {
    const response = await fromPage(request(web()).put('/api/ratings/the-matrix-1999')).send({
      rating: 4,
    });
    expect(response.status).toBe(200);
    const [seen] = data.requests;
    expect(seen?.url).toBe('/ratings/the-matrix-1999');
    expect(JSON.parse(seen?.body ?? '')).toEqual({ rating: 4 });
    expect(seen?.headers['content-type']).toMatch(/application\/json/);
  });

  it('registers through auth and passes its answer and status', async () => {
    auth.reply(() => ({ status: 201, body: { id: 'u1', username: 'ana' } }));
    const response = await fromPage(request(web()).post('/api/auth/register')).send({
      username: 'ana',
      password: 'secret-pass',
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: 'u1', username: 'ana' });
    expect(auth.requests[0]).toMatchObject({ method: 'POST', url: '/register' });
  });

  it('answers 404 for API paths outside the allow-list and never calls an upstream', async () => {
    for (const url of [
      '/api/internal/ratings',
      '/api/auth/jwks',
      '/api/.well-known/jwks.json',
      '/api/moviesx',
    ]) {
      const response = await request(web()).get(url);
      expect(response.status).toBe(404);
      expect(response.body.error).toMatchObject({ code: 'not_found' });
    }
    expect([...auth.requests, ...data.requests, ...recommendation.requests]).toEqual([]);
  });

  it('refuses paths that could climb to /internal once decoded', async () => {
    for (const url of [
      '/api/movies/../internal/ratings',
      '/api/movies/%2e%2e/internal/ratings',
      '/api/movies/..%2Finternal%2Fratings',
      '/api/ratings/%2F..%2Finternal',
      '/api/movies//internal',
      '/api/movies/..\\internal',
    ]) {
      const response = await request(web()).get(url);
      expect([400, 404]).toContain(response.status);
    }
    expect(data.requests.filter((seen) => /internal/i.test(decodeURIComponent(seen.url)))).toEqual(
      [],
    );
  });
});

describe('headers', () => {
  it('passes the request id on and answers with the same one', async () => {
    const response = await request(web()).get('/api/movies').set('x-request-id', 'req-42');
    expect(response.headers['x-request-id']).toBe('req-42');
    expect(data.requests[0]?.headers['x-request-id']).toBe('req-42');
  });

  it('generates a request id when there is none and passes it on', async () => {
    const response = await request(web()).get('/api/movies');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(data.requests[0]?.headers['x-request-id']).toBe(response.headers['x-request-id']);
  });

  it('turns the session cookie into a bearer token and does not forward cookies', async () => {
    await request(web())
      .get('/api/ratings/me')
      .set('Cookie', 'other=1; movies_session=abc.def.ghi');
    const seen = data.requests[0];
    expect(seen?.headers.authorization).toBe('Bearer abc.def.ghi');
    expect(seen?.headers.cookie).toBeUndefined();
  });

  it('sends no authorization without a session', async () => {
    await request(web()).get('/api/movies');
    expect(data.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('passes upstream errors through in the common shape with their status', async () => {
    data.reply(() => ({
      status: 404,
      body: { error: { code: 'movie_not_found', message: 'no movie nope', requestId: 'r1' } },
    }));
    const response = await request(web()).get('/api/movies/nope').set('x-request-id', 'r1');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      error: { code: 'movie_not_found', message: 'no movie nope', requestId: 'r1' },
    });
  });

  it('marks API answers as not cacheable', async () => {
    const response = await request(web()).get('/api/movies');
    expect(response.headers['cache-control']).toBe('no-store');
  });
});

describe('session cookie', () => {
  const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.payload.signature';

  beforeEach(() => {
    auth.reply((seen) => {
      if (seen.url === '/login') {
        const { password } = JSON.parse(seen.body) as { password: string };
        return password === 'right-password'
          ? { status: 200, body: { accessToken: TOKEN, tokenType: 'Bearer', expiresIn: 900 } }
          : {
              status: 401,
              body: {
                error: {
                  code: 'invalid_credentials',
                  message: 'wrong username or password',
                  requestId: 'x',
                },
              },
            };
      }
      if (seen.url === '/me') return { status: 200, body: { id: 'u1', username: 'ana' } };
      return { status: 404, body: {} };
    });
  });

  it('keeps the token in an httpOnly SameSite=Lax cookie lasting expiresIn and never shows it to the page', async () => {
    const response = await fromPage(request(web()).post('/api/auth/login')).send({
      username: 'ana',
      password: 'right-password',
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ user: { id: 'u1', username: 'ana' }, expiresIn: 900 });
    expect(response.text).not.toContain(TOKEN);
    const cookie = ([] as string[]).concat(response.headers['set-cookie'] ?? [])[0] ?? '';
    expect(cookie).toMatch(new RegExp(`^movies_session=${TOKEN.replace(/\./g, '\\.')};`));
    expect(cookie).toMatch(/Max-Age=900/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    expect(auth.seen('/me')[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('marks the cookie Secure behind a trusted proxy that says HTTPS, and only then', async () => {
    const login = (app: ReturnType<typeof web>) =>
      fromPage(request(app).post('/api/auth/login'))
        .set('X-Forwarded-Proto', 'https')
        .send({ username: 'ana', password: 'right-password' });
    const trusted = await login(web({ TRUST_PROXY: '1' }));
    expect(String(trusted.headers['set-cookie'])).toMatch(/Secure/);
    const untrusted = await login(web());
    expect(String(untrusted.headers['set-cookie'])).not.toMatch(/Secure/);
  });

  it('passes a failed login through without setting a cookie', async () => {
    const response = await fromPage(request(web()).post('/api/auth/login')).send({
      username: 'ana',
      password: 'wrong',
    });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('invalid_credentials');
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('rejects a login without a username or password before calling auth', async () => {
    const response = await fromPage(request(web()).post('/api/auth/login')).send({
      username: 'ana',
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/password/);
    expect(auth.requests).toEqual([]);
  });

  it('answers 401 to /api/auth/me without a session, without calling auth', async () => {
    const response = await request(web()).get('/api/auth/me');
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('unauthenticated');
    expect(auth.requests).toEqual([]);
  });

  it('clears the cookie on logout', async () => {
    const response = await fromPage(request(web()).post('/api/auth/logout')).set(
      'Cookie',
      `movies_session=${TOKEN}`,
    );
    expect(response.status).toBe(204);
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/^movies_session=;/);
    expect(cookie).toMatch(/Expires=Thu, 01 Jan 1970/);
  });

  it('clears the cookie when an upstream rejects the token (expired session)', async () => {
    data.reply(() => ({
      status: 401,
      body: { error: { code: 'invalid_token', message: 'token expired', requestId: 'x' } },
    }));
    const response = await request(web())
      .get('/api/ratings/me')
      .set('Cookie', `movies_session=${TOKEN}`);
    expect(response.status).toBe(401);
    expect(String(response.headers['set-cookie'])).toMatch(/^movies_session=;/);
  });
});

describe('CSRF defences', () => {
  it('refuses a state-changing request from another origin even with the header', async () => {
    const response = await request(web())
      .put('/api/ratings/the-matrix-1999')
      .set('Host', HOST)
      .set('Origin', 'https://evil.example')
      .set('x-movies-csrf', '1')
      .set('Cookie', 'movies_session=t')
      .send({ rating: 1 });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('csrf_rejected');
    expect(data.requests).toEqual([]);
  });

  it('refuses a cross-site Referer when there is no Origin', async () => {
    const response = await request(web())
      .delete('/api/ratings/the-matrix-1999')
      .set('Host', HOST)
      .set('Referer', 'https://evil.example/page')
      .set('x-movies-csrf', '1');
    expect(response.status).toBe(403);
    expect(data.requests).toEqual([]);
  });

  it('refuses an opaque ("null") origin', async () => {
    const response = await request(web())
      .post('/api/auth/logout')
      .set('Host', HOST)
      .set('Origin', 'null')
      .set('x-movies-csrf', '1');
    expect(response.status).toBe(403);
  });

  it('refuses a same-origin request without the custom header (what an HTML form sends)', async () => {
    const response = await request(web())
      .post('/api/auth/register')
      .set('Host', HOST)
      .set('Origin', ORIGIN)
      .type('form')
      .send('username=ana&password=secret-pass');
    expect(response.status).toBe(403);
    expect(response.body.error.message).toMatch(/x-movies-csrf/);
    expect(auth.requests).toEqual([]);
  });

  it('never forwards or approves a CORS preflight', async () => {
    const response = await request(web())
      .options('/api/ratings/the-matrix-1999')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'PUT')
      .set('Access-Control-Request-Headers', 'x-movies-csrf');
    expect(response.status).toBe(405);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['access-control-allow-headers']).toBeUndefined();
    expect(data.requests).toEqual([]);
  });

  it('accepts the page’s own requests and leaves reads alone', async () => {
    expect((await fromPage(request(web()).put('/api/ratings/m')).send({ rating: 2 })).status).toBe(
      200,
    );
    expect(
      (await request(web()).get('/api/movies').set('Origin', 'https://evil.example')).status,
    ).toBe(200);
  });
});

describe('upstream failures', () => {
  it('answers 504 in the common shape when an upstream is slower than UPSTREAM_TIMEOUT_MS', async () => {
    recommendation.reply(() => ({ status: 200, body: [], delayMs: 5000 }));
    const started = Date.now();
    const response = await request(web()).get('/api/recommendations').set('x-request-id', 'slow-1');
    expect(Date.now() - started).toBeLessThan(4000);
    expect(response.status).toBe(504);
    expect(response.body).toEqual({
      error: {
        code: 'upstream_timeout',
        message: expect.stringContaining('recommendation'),
        requestId: 'slow-1',
      },
    });
  });

  it('answers 502 when an upstream sends something that is not JSON', async () => {
    data.reply(() => ({
      status: 200,
      raw: '{"movies": [',
      headers: { 'content-type': 'application/json' },
    }));
    const response = await request(web()).get('/api/movies');
    expect(response.status).toBe(502);
    expect(response.body.error.code).toBe('bad_gateway');
  });

  it('answers 503 while an upstream is down and recovers by itself when it is back', async () => {
    const app = web();
    await recommendation.stop();
    try {
      const down = await request(app).get('/api/recommendations').set('x-request-id', 'down-1');
      expect(down.status).toBe(503);
      expect(down.body).toEqual({
        error: {
          code: 'upstream_unavailable',
          message: expect.stringContaining('recommendation'),
          requestId: 'down-1',
        },
      });
      // Other routes are unaffected.
      expect((await request(app).get('/api/movies')).status).toBe(200);
    } finally {
      await recommendation.start();
    }
    const back = await request(app).get('/api/recommendations');
    expect(back.status).toBe(200);
    expect(back.body).toEqual({ from: 'recommendation' });
  });
});

describe('health and UI', () => {
  it('is ready only while all three upstreams answer /healthz, naming the one that does not', async () => {
    const app = web();
    expect((await request(app).get('/readyz')).status).toBe(200);
    await data.stop();
    try {
      const response = await request(app).get('/readyz');
      expect(response.status).toBe(503);
      expect(Object.keys(response.body.reasons)).toEqual(['data']);
      expect((await request(app).get('/healthz')).status).toBe(200);
    } finally {
      await data.start();
    }
    expect((await request(app).get('/readyz')).status).toBe(200);
  });

  it('serves the UI with security headers and a revalidated index.html', async () => {
    const response = await request(web()).get('/');
    expect(response.status).toBe(200);
    expect(response.text).toContain('<title>Movies</title>');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });
});
