import { runLoad } from '../load';
import { Topology, type ServiceInstance } from '../topology';
import { WebClient } from '../web-client';
import { reportLine, reportLoad } from './report';

jest.setTimeout(120_000);

const UPSTREAM_TIMEOUT_MS = 1000;

/**
 * The recommendation service goes away under load: web must answer its recommendation route
 * with a JSON 502/503 within its upstream timeout, keep serving every other route, and serve
 * recommendations again by itself once the service is back.
 */
describe('recommendation down under load', () => {
  let topology: Topology;
  let web: ServiceInstance;
  let recommendation: ServiceInstance;

  beforeAll(async () => {
    topology = new Topology({ PASSWORD_SCRYPT_N: '1024' });
    const auth = await topology.start('auth', {});
    const data = await topology.start('data', { AUTH_URL: auth.url });
    recommendation = await topology.start('recommendation', {
      AUTH_URL: auth.url,
      DATA_URL: data.url,
      MODEL_REFRESH_MS: '500',
    });
    web = await topology.start('web', {
      AUTH_URL: auth.url,
      DATA_URL: data.url,
      RECOMMENDATION_URL: recommendation.url,
      UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
    });
  });

  afterAll(() => topology?.stopAll());

  it('degrades only the recommendation route and recovers by itself', async () => {
    const client = new WebClient(web.url);
    await client.signIn('upstream_user', 'upstream-password-1');
    const page = await client.request('GET', '/api/movies?limit=5');
    for (const movie of (page.body as { movies: Array<{ id: string }> }).movies) {
      expect(
        (await client.request('PUT', `/api/ratings/${movie.id}`, { rating: 5 })).status,
      ).toBeLessThan(300);
    }
    expect((await client.request('GET', '/api/recommendations?limit=5')).status).toBe(200);

    const headers = client.headers();
    const phase = (durationMs: number, path: string) =>
      runLoad({
        baseUrl: web.url,
        connections: 4,
        durationMs,
        timeoutMs: 5000,
        next: () => ({ path, headers }),
      });

    const down = recommendation.stop();
    expect(await down).toBe(0);

    const [recs, movies] = await Promise.all([
      phase(2000, '/api/recommendations?limit=5'),
      phase(2000, '/api/movies?limit=20'),
    ]);
    reportLoad('recommendation down: /api/recommendations', recs);
    reportLoad('recommendation down: /api/movies', movies);
    expect(movies.failures).toBe(0);
    const recOutcomes = Object.keys(recs.outcomes).sort();
    expect(recOutcomes.every((outcome) => outcome === '502' || outcome === '503')).toBe(true);
    expect(recs.latency.max).toBeLessThan(UPSTREAM_TIMEOUT_MS + 500);

    const answer = await client.request('GET', '/api/recommendations?limit=5');
    expect([502, 503]).toContain(answer.status);
    expect(answer.body).toEqual({
      error: {
        code: expect.any(String),
        message: expect.any(String),
        requestId: expect.any(String),
      },
    });

    const t0 = Date.now();
    await recommendation.restart();
    let recovered = await client.request('GET', '/api/recommendations?limit=5');
    while (recovered.status !== 200 && Date.now() - t0 < 15_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      recovered = await client.request('GET', '/api/recommendations?limit=5');
    }
    reportLine(
      'recommendation down',
      `recommendations answered 200 again ${Date.now() - t0} ms after the restart began`,
    );
    expect(recovered.status).toBe(200);
    expect(Array.isArray(recovered.body)).toBe(true);
  });
});
