import { startFerretDB, type FerretDBServer } from '@movies/testing';
import { runLoad } from '../load';
import { startServiceProxy, type ServiceProxy } from '../proxy';
import { Topology, type ServiceInstance } from '../topology';
import { WebClient } from '../web-client';
import { reportLine, reportLoad } from './report';

jest.setTimeout(120_000);

/**
 * Two data instances behind a readiness-aware proxy (a Kubernetes Service stand-in), steady
 * load through web, then each instance restarted in turn with SIGTERM: no request may fail.
 */
describe('rolling restart of the data service under load', () => {
  let ferret: FerretDBServer;
  let topology: Topology;
  let proxy: ServiceProxy;
  let dataA: ServiceInstance;
  let dataB: ServiceInstance;
  let web: ServiceInstance;

  beforeAll(async () => {
    ferret = await startFerretDB();
    topology = new Topology({
      MONGODB_URI: ferret.uri,
      MONGODB_DB: 'rolling',
      PASSWORD_SCRYPT_N: '1024',
    });
    const auth = await topology.start('auth', {});
    dataA = await topology.start('data', { AUTH_URL: auth.url });
    dataB = await topology.start('data', { AUTH_URL: auth.url });
    proxy = await startServiceProxy([{ port: dataA.port }, { port: dataB.port }], {
      probeIntervalMs: 100,
    });
    const dataUrl = `http://127.0.0.1:${proxy.port}`;
    const recommendation = await topology.start('recommendation', {
      AUTH_URL: auth.url,
      DATA_URL: dataUrl,
    });
    web = await topology.start('web', {
      AUTH_URL: auth.url,
      DATA_URL: dataUrl,
      RECOMMENDATION_URL: recommendation.url,
    });
  });

  afterAll(async () => {
    await proxy?.close();
    await topology?.stopAll();
    await ferret?.stop();
  });

  it('serves every request while each instance is restarted in turn', async () => {
    const client = new WebClient(web.url);
    await client.signIn('rolling_user', 'rolling-password-1');
    const page = await client.request('GET', '/api/movies?limit=40');
    expect(page.status).toBe(200);
    const movieIds = (page.body as { movies: Array<{ id: string }> }).movies.map((m) => m.id);
    expect(movieIds.length).toBe(40);

    const headers = client.headers();
    const stopLoad = new AbortController();
    const load = runLoad({
      baseUrl: web.url,
      connections: 8,
      durationMs: 90_000,
      timeoutMs: 5000,
      signal: stopLoad.signal,
      next: (i) => {
        if (i % 3 === 0) return { path: '/api/movies?limit=20', headers };
        if (i % 3 === 1) return { path: '/api/ratings/me', headers };
        return {
          method: 'PUT',
          path: `/api/ratings/${movieIds[i % movieIds.length]}`,
          headers,
          body: JSON.stringify({ rating: 1 + (i % 5) }),
        };
      },
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      for (const instance of [dataA, dataB]) {
        const t0 = Date.now();
        const code = await instance.stop();
        expect(code).toBe(0);
        await instance.restart();
        reportLine(
          'rolling restart',
          `data on :${instance.port} exited ${code}, ready again after ${Date.now() - t0} ms`,
        );
        const deadline = Date.now() + 5000;
        while (proxy.ready().length < 2 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 50));
        expect(proxy.ready()).toHaveLength(2);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    } finally {
      stopLoad.abort();
    }
    const result = await load;
    reportLoad('rolling restart', result);
    expect(result.requests).toBeGreaterThan(100);
    const nonSuccess = Object.entries(result.outcomes).filter(
      ([outcome]) => !/^2\d\d$/.test(outcome),
    );
    expect(nonSuccess).toEqual([]);
    expect(result.failures).toBe(0);
  });
});
