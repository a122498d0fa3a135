import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpstreamError } from './errors';
import { createHttpClient } from './http-client';

let server: http.Server;
let baseUrl: string;
const seen: Array<{
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.url === '/json') {
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(JSON.stringify({ echo: body ? JSON.parse(body) : null }));
      } else if (req.url === '/text') {
        res.setHeader('content-type', 'text/plain');
        res.end('plain words');
      } else if (req.url === '/broken-json') {
        res.setHeader('content-type', 'application/json');
        res.end('{"half":');
      } else if (req.url === '/fail') {
        res.statusCode = 503;
        res.setHeader('content-type', 'application/json');
        res.end('{"status":"not_ready"}');
      } else if (req.url === '/missing') {
        res.statusCode = 404;
        res.setHeader('content-type', 'application/json');
        res.end('{"error":{"code":"not_found"}}');
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 1000);
      } else if (req.url === '/slow-body') {
        res.setHeader('content-type', 'application/json');
        res.write('{"a":');
        setTimeout(() => res.end('1}'), 1000);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    return error as UpstreamError;
  }
  throw new Error('expected a failure');
}

describe('createHttpClient', () => {
  const client = () => createHttpClient({ name: 'data', baseUrl, timeoutMs: 300 });

  it('sends JSON with the request id and parses a JSON answer', async () => {
    const response = await client().request({
      method: 'POST',
      path: '/json',
      body: { rating: 4 },
      requestId: 'req-9',
    });
    expect(response).toMatchObject({ status: 200, body: { echo: { rating: 4 } } });
    const request = seen.at(-1)!;
    expect(request.headers['x-request-id']).toBe('req-9');
    expect(request.headers['content-type']).toBe('application/json');
  });

  it('returns text bodies as text and 4xx answers as results', async () => {
    expect((await client().request({ path: '/text' })).body).toBe('plain words');
    const missing = await client().request({ path: '/missing' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 'not_found' } });
  });

  it('throws bad_response for a 5xx unless allowed, and for broken JSON', async () => {
    const error = await failure(client().request({ path: '/fail' }));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ upstream: 'data', kind: 'bad_response', status: 503 });
    expect((await client().request({ path: '/fail', allowServerErrors: true })).status).toBe(503);
    expect(await failure(client().request({ path: '/broken-json' }))).toMatchObject({
      kind: 'bad_response',
    });
  });

  it('throws timeout when headers or the body are late', async () => {
    expect(await failure(client().request({ path: '/slow' }))).toMatchObject({
      kind: 'timeout',
      upstream: 'data',
    });
    expect(await failure(client().request({ path: '/slow-body' }))).toMatchObject({
      kind: 'timeout',
    });
  });

  it('throws unavailable when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(
      createHttpClient({
        name: 'auth',
        baseUrl: `http://127.0.0.1:${port}`,
        timeoutMs: 1000,
      }).request({ path: '/x' }),
    );
    expect(error).toMatchObject({ kind: 'unavailable', upstream: 'auth' });
  });

  it('gives the raw response for streaming', async () => {
    const response = await client().requestRaw({ path: '/text' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('plain words');
  });
});
