import request from 'supertest';
import { z } from 'zod';
import { HttpError, parse, UpstreamError } from './errors';
import { createService } from './service';
import { memoryLogger, testConfig } from './__fixtures__/test-support';

function buildService(readinessChecks = {}) {
  const log = memoryLogger();
  const service = createService({
    name: 'demo',
    config: testConfig({ SERVICE_VERSION: '1.2.3', GIT_SHA: 'abc123', BODY_LIMIT: '1kb' }),
    logger: log.logger,
    readinessChecks,
    readinessTimeoutMs: 200,
  });
  service.app.get('/items/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  service.app.post('/ratings', (req, res) => {
    const body = parse(
      z.object({ rating: z.number().int().min(1).max(5, 'expected an integer 1-5') }),
      req.body,
    );
    res.status(201).json(body);
  });
  service.app.get('/teapot', () => {
    throw new HttpError(418, 'teapot', 'short and stout');
  });
  service.app.get('/boom', () => {
    throw new Error('database password is hunter2');
  });
  service.app.get('/async-boom', async () => {
    await Promise.resolve();
    throw new TypeError('cannot read x of undefined');
  });
  service.app.get('/upstream', () => {
    throw new UpstreamError('data', 'timeout', 'took too long');
  });
  service.finish();
  return { service, app: service.app, log };
}

describe('createService', () => {
  it('answers /healthz, /version and sets security headers and a request id', async () => {
    const { app } = buildService();
    const health = await request(app).get('/healthz').expect(200);
    expect(health.body).toEqual({ status: 'ok' });
    expect(health.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    expect(health.headers['x-powered-by']).toBeUndefined();
    const version = await request(app).get('/version').expect(200);
    expect(version.body).toEqual({ service: 'demo', version: '1.2.3', gitSha: 'abc123' });
  });

  it('echoes a sane incoming request id and replaces an unsafe one', async () => {
    const { app } = buildService();
    const kept = await request(app).get('/healthz').set('x-request-id', 'abc-123.def').expect(200);
    expect(kept.headers['x-request-id']).toBe('abc-123.def');
    const replaced = await request(app)
      .get('/healthz')
      .set('x-request-id', 'a b"<script>')
      .expect(200);
    expect(replaced.headers['x-request-id']).not.toContain('script');
    const tooLong = await request(app)
      .get('/healthz')
      .set('x-request-id', 'x'.repeat(200))
      .expect(200);
    expect(tooLong.headers['x-request-id']).toHaveLength(36);
  });

  it('reports ready when every check passes and names the failing ones otherwise', async () => {
    const ok = buildService({ db: async () => undefined });
    expect((await request(ok.app).get('/readyz').expect(200)).body).toEqual({
      status: 'ready',
      checks: ['db'],
    });

    const failing = buildService({
      db: async () => {
        throw new Error('connection refused');
      },
      slow: () => new Promise<void>(() => undefined),
      cache: async () => undefined,
    });
    const response = await request(failing.app).get('/readyz').expect(503);
    expect(response.body.status).toBe('not_ready');
    expect(response.body.reasons).toEqual({
      db: 'connection refused',
      slow: 'slow timed out after 200 ms',
    });
    // Liveness never depends on the dependencies.
    await request(failing.app).get('/healthz').expect(200);
  });

  it('maps errors to one JSON shape with the request id', async () => {
    const { app } = buildService();
    const notFound = await request(app).get('/nope').set('x-request-id', 'req-1').expect(404);
    expect(notFound.body).toEqual({
      error: { code: 'not_found', message: 'no route for GET /nope', requestId: 'req-1' },
    });
    const teapot = await request(app).get('/teapot').expect(418);
    expect(teapot.body.error).toMatchObject({ code: 'teapot', message: 'short and stout' });
    const upstream = await request(app).get('/upstream').expect(504);
    expect(upstream.body.error.code).toBe('upstream_timeout');
  });

  it('hides internal errors from the client but logs them', async () => {
    const { app, log } = buildService();
    for (const path of ['/boom', '/async-boom']) {
      const response = await request(app).get(path).expect(500);
      expect(response.body.error).toMatchObject({ code: 'internal', message: 'internal error' });
      expect(JSON.stringify(response.body)).not.toMatch(/hunter2|undefined|at /);
    }
    expect(log.text()).toContain('cannot read x of undefined');
  });

  it('rejects malformed JSON with 400, an oversized body with 413 and invalid fields with 400', async () => {
    const { app } = buildService();
    const malformed = await request(app)
      .post('/ratings')
      .set('content-type', 'application/json')
      .send('{"rating":')
      .expect(400);
    expect(malformed.body.error.code).toBe('invalid_json');
    const large = await request(app)
      .post('/ratings')
      .send({ rating: 3, padding: 'x'.repeat(2000) })
      .expect(413);
    expect(large.body.error.code).toBe('payload_too_large');
    const invalid = await request(app).post('/ratings').send({ rating: 7 }).expect(400);
    expect(invalid.body.error).toMatchObject({
      code: 'invalid_request',
      message: 'rating: expected an integer 1-5',
    });
    const missing = await request(app).post('/ratings').send({}).expect(400);
    expect(missing.body.error.message).toBe('rating: required');
    await request(app).post('/ratings').send({ rating: 4 }).expect(201, { rating: 4 });
  });

  it('exposes the RED histogram labelled by route pattern, not raw URL', async () => {
    const { app } = buildService();
    await request(app).get('/items/42').expect(200);
    await request(app).get('/items/43').expect(200);
    await request(app).get('/random/path/1').expect(404);
    const metrics = await request(app).get('/metrics').expect(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.text).toMatch(
      /http_request_duration_seconds_count\{service="demo",method="GET",route="\/items\/:id",status="200"\} 2/,
    );
    expect(metrics.text).toMatch(/route="unmatched",status="404"/);
    expect(metrics.text).not.toContain('/items/42');
    expect(metrics.text).toContain('process_cpu_user_seconds_total');
  });

  it('logs one JSON line per request without headers', async () => {
    const { app, log } = buildService();
    await request(app)
      .get('/items/7')
      .set('authorization', 'Bearer secret-token')
      .set('x-request-id', 'r-7')
      .expect(200);
    const line = log.lines.find((entry) => entry.msg === 'request' && entry.requestId === 'r-7');
    expect(line).toMatchObject({ method: 'GET', path: '/items/7', status: 200 });
    expect(log.text()).not.toContain('secret-token');
  });

  it('refuses to start before finish()', async () => {
    const service = createService({
      name: 'x',
      config: testConfig(),
      logger: memoryLogger().logger,
    });
    await expect(service.start({ port: 0, handleSignals: false })).rejects.toThrow(/finish\(\)/);
  });
});
