import { startFerretDB, type FerretDBServer } from '@movies/testing';
import { Topology, type ServiceInstance } from '../topology';
import { WebClient } from '../web-client';
import { reportLine } from './report';

jest.setTimeout(300_000);

const USERS = 100;
const WRITES_PER_USER = 10;

/**
 * 1,000 concurrent rating writes from 100 users in MongoDB mode, then a restart of the data
 * service: every rating acknowledged with a 2xx must be there afterwards, exactly once, with
 * the value of the acknowledged write. A write that is refused (503/504 when data is saturated)
 * may or may not have landed, but never twice; the run prints how many were acknowledged.
 */
describe('persistence of acknowledged ratings', () => {
  let ferret: FerretDBServer;
  let topology: Topology;
  let data: ServiceInstance;
  let web: ServiceInstance;

  beforeAll(async () => {
    ferret = await startFerretDB();
    topology = new Topology({
      MONGODB_URI: ferret.uri,
      MONGODB_DB: 'persistence',
      PASSWORD_SCRYPT_N: '1024',
    });
    const auth = await topology.start('auth', {});
    // FerretDB serialises writes on SQLite, so 1,000 concurrent writes queue for many seconds
    // on two cores: the timeouts are raised because this scenario checks durability, not latency.
    data = await topology.start('data', { AUTH_URL: auth.url, SHUTDOWN_GRACE_MS: '60000' });
    const recommendation = await topology.start('recommendation', {
      AUTH_URL: auth.url,
      DATA_URL: data.url,
      MODEL_REFRESH_MS: '60000',
    });
    web = await topology.start('web', {
      AUTH_URL: auth.url,
      DATA_URL: data.url,
      RECOMMENDATION_URL: recommendation.url,
      UPSTREAM_TIMEOUT_MS: '120000',
    });
  });

  afterAll(async () => {
    await topology?.stopAll();
    await ferret?.stop();
  });

  it('keeps every acknowledged rating exactly once across a restart', async () => {
    // Accounts are set up ten at a time: the scenario is about rating writes, not sign-up load.
    const clients: WebClient[] = [];
    for (let batch = 0; batch < USERS; batch += 10) {
      const created = await Promise.all(
        Array.from({ length: Math.min(10, USERS - batch) }, async (_, k) => {
          const i = batch + k;
          const client = new WebClient(web.url, 120_000);
          await client.signIn(`persist_${String(i).padStart(3, '0')}`, `persist-password-${i}`);
          return client;
        }),
      );
      clients.push(...created);
    }
    const page = await clients[0]!.request('GET', `/api/movies?limit=${WRITES_PER_USER}`);
    const movieIds = (page.body as { movies: Array<{ id: string }> }).movies.map((m) => m.id);
    expect(movieIds).toHaveLength(WRITES_PER_USER);

    const t0 = Date.now();
    const writes = clients.flatMap((client, u) =>
      movieIds.map(async (movieId, m) => {
        const rating = 1 + ((u + m) % 5);
        const answer = await client.request('PUT', `/api/ratings/${movieId}`, { rating });
        return { client, movieId, rating, status: answer.status, body: answer.body };
      }),
    );
    const results = await Promise.all(writes);
    const acknowledged = results.filter((r) => r.status >= 200 && r.status < 300);
    const statuses = new Map<number, number>();
    for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    reportLine(
      'persistence',
      `${results.length} concurrent writes in ${Date.now() - t0} ms: ` +
        [...statuses].map(([status, count]) => `${status}×${count}`).join(' '),
    );
    const refused = results.filter((r) => r.status >= 300);
    if (refused[0])
      reportLine(
        'persistence',
        `first refusal: ${refused[0].status} ${JSON.stringify(refused[0].body)}`,
      );
    // A write that was not acknowledged may or may not have landed; it must have been refused
    // cleanly (503/504 in the JSON error shape), never with a client error or a crash.
    for (const r of refused) {
      expect([503, 504]).toContain(r.status);
      expect(r.body).toEqual({ error: expect.objectContaining({ code: expect.any(String) }) });
    }
    expect(acknowledged.length).toBeGreaterThan(0);

    const exit = await data.stop();
    if (exit !== 0)
      reportLine('persistence', `data exited ${exit}:\n${data.process.output().slice(-2000)}`);
    expect(exit).toBe(0);
    await data.restart();

    let missing = 0;
    let duplicated = 0;
    let wrongValue = 0;
    for (const client of clients) {
      const mine = await client.request('GET', '/api/ratings/me');
      expect(mine.status).toBe(200);
      const ratings = (mine.body as { ratings: Array<{ movieId: string; rating: number }> })
        .ratings;
      for (const ack of acknowledged.filter((r) => r.client === client)) {
        const found = ratings.filter((r) => r.movieId === ack.movieId);
        if (found.length === 0) missing += 1;
        if (found.length > 1) duplicated += 1;
        if (found.length === 1 && found[0]!.rating !== ack.rating) wrongValue += 1;
      }
      expect(new Set(ratings.map((r) => r.movieId)).size).toBe(ratings.length);
      expect(ratings.length).toBeLessThanOrEqual(WRITES_PER_USER);
    }
    reportLine(
      'persistence',
      `after restart: ${acknowledged.length} acknowledged, ${missing} missing, ${duplicated} duplicated, ${wrongValue} with another value`,
    );
    expect({ missing, duplicated, wrongValue }).toEqual({
      missing: 0,
      duplicated: 0,
      wrongValue: 0,
    });
    expect(acknowledged.length).toBe(USERS * WRITES_PER_USER);
  });
});
