import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createJwksVerifier, createLogger, loadConfig } from '@movies/kit';
import fc from 'fast-check';
import request from 'supertest';
import {
  createTestDataService,
  startTestAuth,
  type TestAuth,
} from '../../data/src/__fixtures__/harness';
import { createRecommendationService } from './app';
import { recommendationConfigShape } from './config';
import { createDataClient } from './data-client';
import { RecommendationModel } from './engine/model';
import { createModelSync, type ModelSync } from './model-sync';

jest.setTimeout(30_000);

const REFRESH_MS = 200;
let auth: TestAuth;
let dataServer: Server;
let dataUrl: string;

beforeAll(async () => {
  auth = await startTestAuth();
  const data = await createTestDataService(auth);
  dataServer = await new Promise<Server>((resolve) => {
    const server = data.app.listen(0, '127.0.0.1', () => resolve(server));
  });
  dataUrl = `http://127.0.0.1:${(dataServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  dataServer.closeAllConnections();
  await new Promise((resolve) => dataServer.close(resolve));
  await auth.stop();
});

function createRecommendation(overrides: { dataUrl?: string } = {}) {
  const config = loadConfig(recommendationConfigShape, {
    AUTH_URL: auth.jwks.url,
    DATA_URL: overrides.dataUrl ?? dataUrl,
    MODEL_REFRESH_MS: String(REFRESH_MS),
    UPSTREAM_TIMEOUT_MS: '1000',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
  });
  const logger = createLogger({ service: 'recommendation', level: 'silent' });
  const data = createDataClient({
    baseUrl: config.DATA_URL,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
  });
  const model = new RecommendationModel();
  const sync = createModelSync({
    model,
    data,
    logger,
    refreshMs: config.MODEL_REFRESH_MS,
    overlapMs: 1000,
  });
  const verifier = createJwksVerifier({
    jwksUrl: auth.jwks.jwksUrl,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  const service = createRecommendationService({ config, model, sync, data, verifier, logger });
  return { service, app: service.app, sync, model };
}

const rate = (user: string, movieId: string, rating: number) =>
  request(dataUrl)
    .put(`/ratings/${movieId}`)
    .set('Authorization', auth.bearer(user))
    .send({ rating })
    .expect((response) => {
      if (response.status >= 300)
        throw new Error(`rating failed: ${response.status} ${response.text}`);
    });

async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs)
      throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Item {
  movieId: string;
  title: string;
  score: number;
  reason: string;
}

describe('recommendation against a real data service', () => {
  let sync: ModelSync;
  let app: ReturnType<typeof createRecommendation>['app'];
  let model: RecommendationModel;

  beforeAll(async () => {
    // People who liked The Matrix also liked Inception and disliked Love Actually.
    for (const user of ['fan1', 'fan2', 'fan3']) {
      await rate(user, 'the-matrix-1999', 5);
      await rate(user, 'inception-2010', user === 'fan3' ? 4 : 5);
      await rate(user, 'love-actually-2003', 1);
    }
    ({ app, sync, model } = createRecommendation());
    sync.start();
    await waitFor(async () => (sync.loaded() ? true : undefined), 5000);
  });
  afterAll(() => sync.stop());

  const get = (user: string, query = '') =>
    request(app).get(`/recommendations${query}`).set('Authorization', auth.bearer(user));

  it('is ready once the model has loaded', async () => {
    const response = await request(app).get('/readyz').expect(200);
    expect(response.body.checks).toEqual(['model', 'auth']);
  });

  it('shows the model freshness and size on /metrics', async () => {
    const before = Date.now() / 1000;
    await rate('metrics-user', 'heat-1995', 4);
    await sync.refresh();
    const text = (await request(app).get('/metrics').expect(200)).text;
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1]);
    const refreshedAt = value(
      /^recommendation_model_last_refresh_timestamp_seconds\{[^}]*\} (\S+)$/m,
    );
    expect(refreshedAt).toBeGreaterThanOrEqual(before - 1);
    expect(refreshedAt).toBeLessThanOrEqual(Date.now() / 1000);
    const stats = model.stats();
    expect(stats.ratings).toBeGreaterThanOrEqual(10);
    expect(value(/^recommendation_model_size\{kind="ratings"[^}]*\} (\S+)$/m)).toBe(stats.ratings);
    expect(value(/^recommendation_model_size\{kind="users"[^}]*\} (\S+)$/m)).toBe(stats.users);
    expect(value(/^recommendation_model_size\{kind="movies"[^}]*\} (\S+)$/m)).toBe(stats.items);
  });

  it('recommends what similar users liked, with the reason, and never a rated movie', async () => {
    await rate('newbie', 'the-matrix-1999', 5);
    const response = await get('newbie').expect(200);
    const items = response.body as Item[];
    expect(items).toHaveLength(10);
    expect(items[0]).toEqual({
      movieId: 'inception-2010',
      title: 'Inception',
      score: expect.any(Number),
      reason: 'because you liked The Matrix',
    });
    const ids = items.map((item) => item.movieId);
    expect(ids).not.toContain('the-matrix-1999');
    expect(ids).not.toContain('love-actually-2003');
    for (const item of items.slice(1))
      expect(Object.keys(item).sort()).toEqual(['movieId', 'reason', 'score', 'title']);
  });

  it('never recommends a movie rated a moment ago (waits for the feed to bring it)', async () => {
    await rate('quick', 'the-matrix-1999', 5);
    await rate('quick', 'inception-2010', 4);
    const ids = ((await get('quick', '?limit=50').expect(200)).body as Item[]).map(
      (item) => item.movieId,
    );
    expect(ids).toHaveLength(50);
    expect(ids).not.toContain('inception-2010');
    expect(ids).not.toContain('the-matrix-1999');
  });

  it('picks up new ratings from the change feed within the staleness bound', async () => {
    await rate('matrix-only', 'the-matrix-1999', 5);
    // Everyone who likes The Matrix now also loves Arrival.
    for (const user of ['fan1', 'fan2', 'fan3']) await rate(user, 'arrival-2016', 5);
    const wrote = Date.now();
    const { ms } = await waitFor(async () => {
      const items = (await get('matrix-only').expect(200)).body as Item[];
      return items.some(
        (item) => item.movieId === 'arrival-2016' && item.reason === 'because you liked The Matrix',
      )
        ? true
        : undefined;
    }, 5000);
    expect(ms).toBeLessThanOrEqual(REFRESH_MS * 2 + 1000);
    expect(Date.now() - wrote).toBeLessThan(5000);
  });

  it('gives popular picks to a user without ratings', async () => {
    const items = (await get('stranger', '?limit=3').expect(200)).body as Item[];
    expect(items).toHaveLength(3);
    expect(items.every((item) => item.reason === 'popular with everyone')).toBe(true);
  });

  it.each(['?limit=0', '?limit=51', '?limit=abc', '?limit=1&limit=2', '?limit[$gt]=1', '?user=x'])(
    'rejects %s with 400',
    async (query) => {
      const response = await get('fan1', query).expect(400);
      expect(response.body.error.code).toBe('invalid_request');
    },
  );

  it('answers 401 to every token attack', async () => {
    for (const attack of auth.attacks()) {
      let call = request(app).get('/recommendations');
      if (attack.authorization !== undefined)
        call = call.set('Authorization', attack.authorization);
      const response = await call;
      if (response.status !== 401) throw new Error(`"${attack.name}" answered ${response.status}`);
    }
  });

  it('never answers 5xx to random query strings and stays ready (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.string({ maxLength: 12 }),
          fc.oneof(
            fc.string({ maxLength: 12 }),
            fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
          ),
        ),
        async (params) => {
          const search = new URLSearchParams();
          for (const [key, value] of Object.entries(params)) {
            for (const one of Array.isArray(value) ? value : [value]) search.append(key, one);
          }
          const response = await get('fan1', `?${search}`);
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: 60 },
    );
    await request(app).get('/readyz').expect(200);
  });
});

describe('readiness and outages', () => {
  it('is not ready before the first load, then keeps serving from the model while data is down', async () => {
    const closed = await new Promise<Server>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
    });
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));

    const down = createRecommendation({ dataUrl: deadUrl });
    down.sync.start();
    await waitFor(async () => (down.sync.lastError() ? true : undefined), 5000);
    const notReady = await request(down.app).get('/readyz').expect(503);
    expect(notReady.body.reasons.model).toMatch(/model not loaded yet/);
    await down.sync.stop();

    // Loaded once from the real data service, then data "goes away".
    await rate('outage-user', 'the-matrix-1999', 5);
    const up = createRecommendation();
    await up.sync.refresh();
    const dataClientDown = createDataClient({ baseUrl: deadUrl, timeoutMs: 500 });
    const degraded = createRecommendationService({
      config: loadConfig(recommendationConfigShape, {
        AUTH_URL: auth.jwks.url,
        DATA_URL: deadUrl,
        LOG_LEVEL: 'silent',
      }),
      model: up.model,
      sync: up.sync,
      data: dataClientDown,
      verifier: createJwksVerifier({
        jwksUrl: auth.jwks.jwksUrl,
        issuer: 'movies-auth',
        audience: 'movies',
      }),
      logger: createLogger({ service: 'recommendation', level: 'silent' }),
    });
    await request(degraded.app).get('/readyz').expect(200);
    const items = (
      await request(degraded.app)
        .get('/recommendations')
        .set('Authorization', auth.bearer('outage-user'))
        .expect(200)
    ).body as Item[];
    expect(items.map((item) => item.movieId)).not.toContain('the-matrix-1999');
    expect(items).toHaveLength(10);
  });

  it('answers from the model after FRESHNESS_TIMEOUT_MS when data is slow', async () => {
    const hanging = createServer(() => {
      // Accepts the request and never answers.
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const slowUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    try {
      await rate('slow-user', 'inception-2010', 5);
      const up = createRecommendation();
      await up.sync.refresh();
      const slow = createRecommendationService({
        config: loadConfig(recommendationConfigShape, {
          AUTH_URL: auth.jwks.url,
          DATA_URL: slowUrl,
          FRESHNESS_TIMEOUT_MS: '100',
          UPSTREAM_TIMEOUT_MS: '30000',
          LOG_LEVEL: 'silent',
        }),
        model: up.model,
        sync: up.sync,
        data: createDataClient({ baseUrl: slowUrl, timeoutMs: 30_000 }),
        verifier: createJwksVerifier({
          jwksUrl: auth.jwks.jwksUrl,
          issuer: 'movies-auth',
          audience: 'movies',
        }),
        logger: createLogger({ service: 'recommendation', level: 'silent' }),
      });
      const started = Date.now();
      const items = (
        await request(slow.app)
          .get('/recommendations')
          .set('Authorization', auth.bearer('slow-user'))
          .expect(200)
      ).body as Item[];
      // Far below the 30 s upstream timeout: the freshness check gave up after 100 ms.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(items.map((item) => item.movieId)).not.toContain('inception-2010');
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });
});
