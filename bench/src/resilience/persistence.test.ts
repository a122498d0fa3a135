import { startFerretDB, type FerretDBServer } from '@movies/testing';
import { Topology, type ServiceInstance } from '../topology';
import { WebClient } from '../web-client';
import { reportLine } from './report';

jest.setTimeout(180_000);

const USERS = 100;
const WRITES_PER_USER = 10;

/**
 * 1,000 concurrent rating writes from 100 users in MongoDB mode, then a restart of the data
 * service: every rating acknowledged with a 2xx must be there afterwards, exactly once, with
 * the value of the last acknowledged write.
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
    data = await topology.start('data', { AUTH_URL: auth.url });
    const recommendation = await topology.start('recommendation', {
      AUTH_URL: auth.url,
      DATA_URL: data.url,
    });
    web = await topology.start('web', {
      AUTH_URL: auth.url,
      DATA_URL: data.url,
      RECOMMENDATION_URL: recommendation.url,
    });
  });

  afterAll(async () => {
    await topology?.stopAll();
    await ferret?.stop();
  });

  it('keeps every acknowledged rating exactly once across a restart', async () => {
    const clients = await Promise.all(
      Array.from({ length: USERS }, async (_, i) => {
        const client = new WebClient(web.url);
        await client.signIn(`persist_${String(i).padStart(3, '0')}`, `persist-password-${i}`);
        return client;
      }),
    );
    const page = await clients[0]!.request('GET', `/api/movies?limit=${WRITES_PER_USER}`);
    const movieIds = (page.body as { movies: Array<{ id: string }> }).movies.map((m) => m.id);
    expect(movieIds).toHaveLength(WRITES_PER_USER);

    const t0 = Date.now();
    const writes = clients.flatMap((client, u) =>
      movieIds.map(async (movieId, m) => {
        const rating = 1 + ((u + m) % 5);
        const answer = await client.request('PUT', `/api/ratings/${movieId}`, { rating });
        return { client, movieId, rating, status: answer.status };
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
    expect(acknowledged.length).toBeGreaterThan(0);

    const exit = await data.stop();
    expect(exit).toBe(0);
    await data.restart();

    let missing = 0;
    let duplicated = 0;
    let wrongValue = 0;
    for (const [u, client] of clients.entries()) {
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
      void u;
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
