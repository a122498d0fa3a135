import { tokenAttacks, validTestToken } from '@movies/testing';
import fc from 'fast-check';
import request from 'supertest';
import { buildTestAuth } from './__fixtures__/test-support';
import { StoreUnavailableError } from './users/repository';

jest.setTimeout(60_000);

const register = (
  app: ReturnType<typeof buildTestAuth>['app'],
  username: string,
  password = 'correct-horse',
) => request(app).post('/register').send({ username, password });
const login = (
  app: ReturnType<typeof buildTestAuth>['app'],
  username: string,
  password = 'correct-horse',
) => request(app).post('/login').send({ username, password });

describe('POST /register', () => {
  const { app } = buildTestAuth();

  it('creates a user and answers 201 with the id and username only', async () => {
    const response = await register(app, 'ana.b_c-1').expect(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      username: 'ana.b_c-1',
    });
  });

  it('answers 409 username_taken for an existing username', async () => {
    await register(app, 'taken').expect(201);
    const response = await register(app, 'taken', 'another-password').expect(409);
    expect(response.body.error).toMatchObject({ code: 'username_taken' });
  });

  it.each([
    [
      { username: 'ab', password: 'long-enough' },
      'username: must be 3-32 characters of a-z, 0-9, _ . -',
    ],
    [
      { username: 'a'.repeat(33), password: 'long-enough' },
      'username: must be 3-32 characters of a-z, 0-9, _ . -',
    ],
    [
      { username: 'Ana', password: 'long-enough' },
      'username: must be 3-32 characters of a-z, 0-9, _ . -',
    ],
    [
      { username: 'ana bob', password: 'long-enough' },
      'username: must be 3-32 characters of a-z, 0-9, _ . -',
    ],
    [{ username: 'ana', password: 'short' }, 'password: must be 8-128 characters'],
    [{ username: 'ana', password: 'x'.repeat(129) }, 'password: must be 8-128 characters'],
    [{ password: 'long-enough' }, 'username: required'],
    [{ username: 'ana' }, 'password: required'],
    [{ username: 42, password: 'long-enough' }, /^username: /],
    [[], /^body: /],
  ])('answers 400 invalid_request for %j', async (body, message) => {
    const response = await request(app)
      .post('/register')
      .send(body as object)
      .expect(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(response.body.error.message).toMatch(message);
  });

  it('answers 400 for malformed JSON and a missing body, 413 for an oversized one', async () => {
    expect(
      (
        await request(app)
          .post('/register')
          .set('content-type', 'application/json')
          .send('{"username":')
          .expect(400)
      ).body.error.code,
    ).toBe('invalid_json');
    expect((await request(app).post('/register').expect(400)).body.error.message).toBe(
      'body: required',
    );
    const big = { username: 'big', password: 'x'.repeat(200_000) };
    expect((await request(app).post('/register').send(big).expect(413)).body.error.code).toBe(
      'payload_too_large',
    );
  });
});

describe('POST /login and GET /me', () => {
  const { app } = buildTestAuth();
  beforeAll(async () => {
    await register(app, 'marta', 'marta-password').expect(201);
  });

  it('issues a Bearer token that GET /me accepts', async () => {
    const response = await login(app, 'marta', 'marta-password').expect(200);
    expect(response.body).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
    });
    expect(response.headers['cache-control']).toBe('no-store');
    const me = await request(app)
      .get('/me')
      .set('authorization', `Bearer ${response.body.accessToken}`)
      .expect(200);
    expect(me.body).toEqual({
      id: expect.any(String),
      username: 'marta',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('gives the same 401 body for a wrong password and an unknown user', async () => {
    const wrong = await login(app, 'marta', 'wrong-password').expect(401);
    const unknown = await login(app, 'nobody-here', 'wrong-password').expect(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect({ ...wrong.body.error, requestId: 'x' }).toEqual({
      ...unknown.body.error,
      requestId: 'x',
    });
  });

  it('answers 400 for a login body of the wrong shape', async () => {
    expect(
      (await request(app).post('/login').send({ username: 'marta' }).expect(400)).body.error
        .message,
    ).toBe('password: required');
  });

  it('answers 401 when the user of a valid token no longer exists', async () => {
    const { app: other, keys, config } = buildTestAuth();
    const token = validTestToken({
      privateKey: keys.active.privateKey,
      kid: keys.active.kid,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      subject: 'deleted-user',
    });
    expect(
      (await request(other).get('/me').set('authorization', `Bearer ${token}`).expect(401)).body
        .error.code,
    ).toBe('unauthorized');
  });
});

describe('token attacks on GET /me', () => {
  const auth = buildTestAuth();
  const signing = () => ({
    privateKey: auth.keys.active.privateKey,
    kid: auth.keys.active.kid,
    issuer: auth.config.JWT_ISSUER,
    audience: auth.config.JWT_AUDIENCE,
  });
  const names = tokenAttacks({ ...signing(), subject: 'placeholder' }).map((attack) => attack.name);
  let byName: Map<string, string | undefined>;
  let userId: string;
  beforeAll(async () => {
    // The attack tokens name a user that exists, so only the token check can refuse them.
    userId = (await register(auth.app, 'victim').expect(201)).body.id;
    byName = new Map(
      tokenAttacks({ ...signing(), subject: userId }).map((attack) => [
        attack.name,
        attack.authorization,
      ]),
    );
  });

  it('accepts a hand-signed valid token for that user (so the attacks below are meaningful)', async () => {
    const token = validTestToken({ ...signing(), subject: userId });
    await request(auth.app).get('/me').set('authorization', `Bearer ${token}`).expect(200);
  });

  it.each(names)('refuses %s with 401 unauthorized', async (name) => {
    const authorization = byName.get(name);
    const call = request(auth.app).get('/me');
    if (authorization !== undefined) call.set('authorization', authorization);
    const response = await call.expect(401);
    expect(response.body.error).toMatchObject({
      code: 'unauthorized',
      message: 'a valid bearer token is required',
    });
  });
});

describe('login throttling', () => {
  it('answers 429 with Retry-After after repeated failures for one username and IP, even with the right password', async () => {
    const { app } = buildTestAuth({
      env: { LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT_SECONDS: '120' },
    });
    await register(app, 'locked', 'the-password').expect(201);
    for (let i = 0; i < 3; i++) await login(app, 'locked', 'bad-guess').expect(401);
    const blocked = await login(app, 'locked', 'the-password').expect(429);
    expect(blocked.body.error.code).toBe('too_many_attempts');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(100);
    // Another username from the same IP is unaffected.
    await register(app, 'other', 'the-password').expect(201);
    await login(app, 'other', 'the-password').expect(200);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY is set', async () => {
    const untrusted = buildTestAuth({ env: { LOGIN_MAX_FAILURES: '2' } });
    for (const ip of ['1.1.1.1', '2.2.2.2'])
      await login(untrusted.app, 'x-user', 'bad-guess').set('x-forwarded-for', ip).expect(401);
    await login(untrusted.app, 'x-user', 'bad-guess').set('x-forwarded-for', '3.3.3.3').expect(429);

    const trusted = buildTestAuth({ env: { LOGIN_MAX_FAILURES: '2', TRUST_PROXY: '1' } });
    for (const ip of ['1.1.1.1', '2.2.2.2', '3.3.3.3'])
      await login(trusted.app, 'x-user', 'bad-guess').set('x-forwarded-for', ip).expect(401);
  });
});

describe('JWKS and probes', () => {
  const { app, keys } = buildTestAuth();

  it('publishes the public signing key with kid and alg', async () => {
    const response = await request(app).get('/.well-known/jwks.json').expect(200);
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    expect(response.body.keys).toHaveLength(1);
    expect(response.body.keys[0]).toMatchObject({
      kty: 'RSA',
      kid: keys.active.kid,
      alg: 'RS256',
      use: 'sig',
    });
    expect(response.body.keys[0]).not.toHaveProperty('d');
  });

  it('reports version, health and metrics', async () => {
    expect((await request(app).get('/version').expect(200)).body).toEqual({
      service: 'auth',
      version: '0.0.0-dev',
      gitSha: 'unknown',
    });
    await request(app).get('/healthz').expect(200);
    expect((await request(app).get('/metrics').expect(200)).text).toContain(
      'http_request_duration_seconds',
    );
  });

  it('is not ready and answers 503 while the user store is down; healthz stays 200', async () => {
    const users = buildTestAuth().users;
    const down = new StoreUnavailableError('user store is unreachable');
    users.ping = async () => Promise.reject(down);
    users.findByUsername = async () => Promise.reject(down);
    const broken = buildTestAuth({ users });
    expect((await request(broken.app).get('/readyz').expect(503)).body).toEqual({
      status: 'not_ready',
      reasons: { users: 'user store is unreachable' },
    });
    expect((await login(broken.app, 'anyone').expect(503)).body.error.code).toBe(
      'store_unavailable',
    );
    await request(broken.app).get('/healthz').expect(200);
  });
});

describe('random bodies (property-based)', () => {
  const { app } = buildTestAuth({ env: { LOGIN_MAX_FAILURES: '1000' } });
  const bodies = fc.oneof(
    fc.anything(),
    fc.record({ username: fc.anything(), password: fc.anything() }, { requiredKeys: [] }),
    fc.record({ username: fc.string({ maxLength: 40 }), password: fc.string({ maxLength: 140 }) }),
    fc.dictionary(
      fc.constantFrom('__proto__', 'constructor', '$where', 'username', 'password', 'a.b'),
      fc.jsonValue(),
    ),
  );

  it('never answers 5xx on /register or /login and stays ready', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/register', '/login'), bodies, async (path, body) => {
        const response = await request(app)
          .post(path)
          .set('content-type', 'application/json')
          .send(JSON.stringify(body) ?? 'null');
        expect(response.status).toBeLessThan(500);
        expect([200, 201, 400, 401, 409, 413, 429]).toContain(response.status);
        if (response.status >= 400) expect(response.body.error.code).toEqual(expect.any(String));
      }),
      { numRuns: 150 },
    );
    await request(app).get('/readyz').expect(200);
  });

  it('never answers 5xx for random Authorization headers on /me', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `Bearer ${s}`),
          fc.base64String().map((s) => `Bearer ${s}.${s}.${s}`),
        ),
        async (header) => {
          const call = request(app).get('/me');
          const safe = header.replace(/[^\x20-\x7e]/g, '');
          if (safe) call.set('authorization', safe);
          expect((await call).status).toBe(401);
        },
      ),
      { numRuns: 100 },
    );
  });
});
