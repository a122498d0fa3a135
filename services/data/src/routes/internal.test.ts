import request from 'supertest';
import { useDataService } from '../__fixtures__/harness';

const harness = useDataService();
const app = () => harness.app();
const auth = {
  bearer: (user?: string) => harness.auth().bearer(user),
  attacks: () => harness.auth().attacks(),
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Change {
  userId: string;
  movieId: string;
  rating: number | null;
  deleted: boolean;
  updatedAt: string;
}

async function readFeed(query: Record<string, string | number>): Promise<Change[]> {
  const changes: Change[] = [];
  let cursor: string | undefined;
  for (;;) {
    const response = await request(app())
      .get('/internal/ratings')
      .query({ ...query, ...(cursor ? { cursor } : {}) })
      .expect(200);
    changes.push(...response.body.changes);
    if (!response.body.hasMore) return changes;
    cursor = response.body.nextCursor;
  }
}

describe('GET /internal/ratings (change feed)', () => {
  it('returns every current rating, then only what changed since, with deletions as tombstones', async () => {
    const put = (user: string, movie: string, rating: number) =>
      request(app())
        .put(`/ratings/${movie}`)
        .set('Authorization', auth.bearer(user))
        .send({ rating })
        .expect((r) => expect(r.status).toBeLessThan(300));
    await put('ann', 'alien-1979', 5);
    await put('ann', 'heat-1995', 4);
    await put('bob', 'alien-1979', 2);
    await sleep(3);
    const all = await readFeed({ limit: 2 });
    expect(all.map((c) => `${c.userId}/${c.movieId}=${c.rating}`).sort()).toEqual([
      'ann/alien-1979=5',
      'ann/heat-1995=4',
      'bob/alien-1979=2',
    ]);

    const since = Date.now();
    await sleep(3);
    await put('bob', 'alien-1979', 3);
    await request(app())
      .delete('/ratings/heat-1995')
      .set('Authorization', auth.bearer('ann'))
      .expect(204);
    const changed = await readFeed({ since, limit: 1 });
    expect(changed.map((c) => [c.userId, c.movieId, c.rating, c.deleted])).toEqual([
      ['bob', 'alien-1979', 3, false],
      ['ann', 'heat-1995', null, true],
    ]);
    const sinceIso = await readFeed({ since: new Date(since).toISOString() });
    expect(sinceIso).toEqual(changed);
  });

  it('gives a cursor to resume from even on the last page, and an empty page after it', async () => {
    await request(app())
      .put('/ratings/alien-1979')
      .set('Authorization', auth.bearer())
      .send({ rating: 4 })
      .expect(201);
    const first = await request(app()).get('/internal/ratings').expect(200);
    expect(first.body.hasMore).toBe(false);
    const next = await request(app())
      .get('/internal/ratings')
      .query({ cursor: first.body.nextCursor })
      .expect(200);
    expect(next.body).toEqual({ changes: [], nextCursor: null, hasMore: false });
  });

  it.each([
    ['since=yesterday', 'since'],
    ['since=-5', 'since'],
    ['since=1&since=2', 'since'],
    ['limit=5001', 'limit'],
    ['limit=0', 'limit'],
    ['cursor=abc', 'cursor'],
    ['userId[$ne]=x', 'userId[$ne]'],
  ])('rejects ?%s with a 400 naming %s', async (query, field) => {
    const response = await request(app()).get(`/internal/ratings?${query}`).expect(400);
    expect(response.body.error.message).toContain(field);
  });
});

it("no longer serves a user's rating list on the internal path (recommendation reads the feed)", async () => {
  await request(app()).get('/internal/users/somebody/ratings').expect(404);
});

describe('GET /internal/users/:userId/newest', () => {
  const newest = async (userId: string) =>
    (
      await request(app())
        .get(`/internal/users/${encodeURIComponent(userId)}/newest`)
        .expect(200)
    ).body;

  it("returns when the user last changed a rating, a PUT's and a DELETE's time included", async () => {
    expect(await newest('user|42')).toEqual({ userId: 'user|42', newest: null });
    const put = await request(app())
      .put('/ratings/alien-1979')
      .set('Authorization', auth.bearer('user|42'))
      .send({ rating: 4 })
      .expect(201);
    const putAt = Date.parse(put.body.updatedAt);
    expect(await newest('user|42')).toEqual({ userId: 'user|42', newest: putAt });
    await sleep(3);
    await request(app())
      .delete('/ratings/alien-1979')
      .set('Authorization', auth.bearer('user|42'))
      .expect(204);
    const feed = await readFeed({ since: putAt + 1 });
    expect(feed).toMatchObject([{ userId: 'user|42', movieId: 'alien-1979', deleted: true }]);
    expect(await newest('user|42')).toEqual({
      userId: 'user|42',
      newest: Date.parse(feed[0]!.updatedAt),
    });
    expect(await newest('other')).toEqual({ userId: 'other', newest: null });
  });

  it('rejects a user id longer than 200 characters with a 400 naming userId', async () => {
    await request(app())
      .get(`/internal/users/${'x'.repeat(200)}/newest`)
      .expect(200);
    const response = await request(app())
      .get(`/internal/users/${'x'.repeat(201)}/newest`)
      .expect(400);
    expect(response.body.error.message).toContain('userId');
  });
});
