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

  /** A server that answers "ok" and counts the connections it was called on. */
  async function countingServer() {
    const sockets = new Set<unknown>();
    const counting = http.createServer((req, res) => {
      sockets.add(req.socket);
      res.end('ok');
    });
    await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(counting.address() as AddressInfo).port}`,
      sockets,
      close: () => new Promise((resolve) => counting.close(resolve)),
    };
  }

  it('reuses one pooled connection for calls in sequence', async () => {
    const server = await countingServer();
    const pooled = createHttpClient({ name: 'data', baseUrl: server.url, timeoutMs: 1000 });
    try {
      for (let i = 0; i < 5; i += 1) expect((await pooled.request({ path: '/' })).text).toBe('ok');
      expect(server.sockets.size).toBe(1);
    } finally {
      pooled.close();
      await server.close();
    }
  });

  it('opens a new connection once the pooled one is older than maxSocketAgeMs', async () => {
    const server = await countingServer();
    const aging = createHttpClient({
      name: 'data',
      baseUrl: server.url,
      timeoutMs: 1000,
      maxSocketAgeMs: 50,
    });
    try {
      await aging.request({ path: '/' });
      await aging.request({ path: '/' });
      expect(server.sockets.size).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 80));
      await aging.request({ path: '/' });
      await aging.request({ path: '/' });
      expect(server.sockets.size).toBe(2);
    } finally {
      aging.close();
      await server.close();
    }
  });

  describe('a pooled connection the server has closed', () => {
    // The server drops any connection on its second request without answering: what a client
    // sees when a keep-alive connection was closed by the server just as it was reused.
    let dropping: http.Server;
    let dropUrl: string;
    const received: string[] = [];
    beforeAll(async () => {
      const served = new WeakMap<object, number>();
      dropping = http.createServer((req, res) => {
        const count = (served.get(req.socket) ?? 0) + 1;
        served.set(req.socket, count);
        if (count > 1) {
          req.socket.destroy();
          return;
        }
        received.push(`${req.method} ${req.url}`);
        res.end('ok');
      });
      await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
      dropUrl = `http://127.0.0.1:${(dropping.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      dropping.closeAllConnections();
      await new Promise((resolve) => dropping.close(resolve));
    });

    it('is retried once on a new connection for an idempotent call', async () => {
      const retrying = createHttpClient({ name: 'data', baseUrl: dropUrl, timeoutMs: 1000 });
      try {
        await retrying.request({ path: '/first' });
        expect((await retrying.request({ path: '/second' })).text).toBe('ok');
        expect(received.slice(-2)).toEqual(['GET /first', 'GET /second']);
      } finally {
        retrying.close();
      }
    });

    it('fails as unavailable for a POST, which is never sent twice', async () => {
      const posting = createHttpClient({ name: 'auth', baseUrl: dropUrl, timeoutMs: 1000 });
      try {
        await posting.request({ path: '/first' });
        const before = received.length;
        const error = await failure(posting.request({ method: 'POST', path: '/login', body: {} }));
        expect(error).toMatchObject({ kind: 'unavailable', upstream: 'auth' });
        expect(received.length).toBe(before);
      } finally {
        posting.close();
      }
    });
  });

  it('fails with bad_response when the body is larger than maxResponseBytes', async () => {
    const small = createHttpClient({ name: 'data', baseUrl, timeoutMs: 1000, maxResponseBytes: 5 });
    expect(await failure(small.request({ path: '/text' }))).toMatchObject({
      kind: 'bad_response',
      upstream: 'data',
    });
    expect((await client().request({ path: '/text' })).text).toBe('plain words');
  });

  it('keeps a path prefix of the base URL and refuses other protocols', async () => {
    const prefixed = createHttpClient({ name: 'data', baseUrl: `${baseUrl}json`, timeoutMs: 300 });
    expect((await prefixed.request({ path: '' })).body).toEqual({ echo: null });
    expect(() => createHttpClient({ name: 'x', baseUrl: 'ftp://127.0.0.1', timeoutMs: 1 })).toThrow(
      /http\(s\)/,
    );
  });
});
