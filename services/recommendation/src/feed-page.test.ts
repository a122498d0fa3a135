import { UpstreamError } from '@movies/kit';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDataClient } from './data-client';
import { FeedPageError, parseFeedPage } from './feed-page';

const change = (overrides: Record<string, unknown> = {}) => ({
  userId: 'u1',
  movieId: 'inception-2010',
  rating: 4,
  deleted: false,
  updatedAt: '2026-01-01T00:00:01.000Z',
  ...overrides,
});

describe('parseFeedPage', () => {
  it('converts a page: times to ms, deletions to a null rating', () => {
    const page = parseFeedPage({
      changes: [change(), change({ userId: 'u2', rating: null, deleted: true })],
      nextCursor: 'abc',
      hasMore: true,
    });
    expect(page).toEqual({
      changes: [
        {
          userId: 'u1',
          movieId: 'inception-2010',
          rating: 4,
          updatedAtMs: Date.UTC(2026, 0, 1, 0, 0, 1),
        },
        {
          userId: 'u2',
          movieId: 'inception-2010',
          rating: null,
          updatedAtMs: Date.UTC(2026, 0, 1, 0, 0, 1),
        },
      ],
      nextCursor: 'abc',
      hasMore: true,
    });
    // A tombstone may carry the last rating: it is still a deletion.
    expect(
      parseFeedPage({ changes: [change({ deleted: true })], nextCursor: null, hasMore: false })
        .changes[0]!.rating,
    ).toBeNull();
  });

  it.each([
    ['the body', [], 'expected an object'],
    ['changes', { changes: {}, nextCursor: null, hasMore: false }, 'changes: expected an array'],
    [
      'nextCursor',
      { changes: [], nextCursor: 5, hasMore: false },
      'nextCursor: expected a string or null',
    ],
    ['hasMore', { changes: [], nextCursor: null }, 'hasMore: expected a boolean'],
    [
      'an entry',
      { changes: [change(), 'x'], nextCursor: null, hasMore: false },
      'changes[1]: expected an object',
    ],
    [
      'userId',
      { changes: [change({ userId: '' })], nextCursor: null, hasMore: false },
      'changes[0].userId: expected a non-empty string',
    ],
    [
      'movieId',
      { changes: [change({ movieId: 7 })], nextCursor: null, hasMore: false },
      'changes[0].movieId: expected a non-empty string',
    ],
    [
      'rating 6',
      { changes: [change(), change({ rating: 6 })], nextCursor: null, hasMore: false },
      'changes[1].rating: expected an integer 1–5 or null',
    ],
    [
      'rating 2.5',
      { changes: [change({ rating: 2.5 })], nextCursor: null, hasMore: false },
      'changes[0].rating: expected an integer 1–5 or null',
    ],
    [
      'a null rating that is no deletion',
      { changes: [change({ rating: null })], nextCursor: null, hasMore: false },
      'changes[0].rating: null on a change that is not a deletion',
    ],
    [
      'deleted',
      { changes: [change({ deleted: 'no' })], nextCursor: null, hasMore: false },
      'changes[0].deleted: expected a boolean',
    ],
    [
      'updatedAt',
      { changes: [change({ updatedAt: 'yesterday' })], nextCursor: null, hasMore: false },
      'changes[0].updatedAt: expected an ISO 8601 time',
    ],
  ])('names a bad %s', (_what, body, message) => {
    expect(() => parseFeedPage(body)).toThrow(new FeedPageError(message));
  });
});

describe('data client feed read', () => {
  let server: Server;
  let baseUrl: string;
  let body: unknown;
  let asked: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    asked = [];
  });

  it('asks with since or cursor and returns the converted page', async () => {
    body = { changes: [change()], nextCursor: 'next', hasMore: true };
    const data = createDataClient({ baseUrl, timeoutMs: 2000 });
    const page = await data.changes({ since: 1500.7, limit: 5000 });
    expect(page.changes[0]).toMatchObject({ userId: 'u1', rating: 4 });
    await data.changes({ since: 1500, cursor: 'c1', limit: 10 });
    expect(asked).toEqual([
      '/internal/ratings?limit=5000&since=1500',
      '/internal/ratings?limit=10&cursor=c1',
    ]);
  });

  it('fails with an upstream error naming the offending field', async () => {
    body = { changes: [change(), change({ rating: 9 })], nextCursor: null, hasMore: false };
    const data = createDataClient({ baseUrl, timeoutMs: 2000 });
    const failure = data.changes({ limit: 5000 });
    await expect(failure).rejects.toBeInstanceOf(UpstreamError);
    await expect(failure).rejects.toThrow(
      'data: unexpected response shape from /internal/ratings: changes[1].rating: expected an integer 1–5 or null',
    );
  });
});
