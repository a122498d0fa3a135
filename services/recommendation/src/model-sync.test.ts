import { createLogger } from '@movies/kit';
import type { DataClient, FeedChange } from './data-client';
import { RecommendationModel, type CatalogMovie } from './engine/model';
import { createModelSync } from './model-sync';

/** An in-memory stand-in for data's feed that records how it was asked. */
function fakeData(catalog: CatalogMovie[]) {
  const feed: FeedChange[] = [];
  const asked: Array<{ since?: number; cursor?: string }> = [];
  let catalogLoads = 0;
  let failing = false;
  const client: DataClient = {
    async changes({ since, cursor, limit }) {
      if (failing) throw new Error('data is down');
      asked.push({ since, cursor });
      const start = cursor ? Number(cursor) : 0;
      const matching = feed.filter((change) => since === undefined || change.updatedAtMs >= since);
      const page = matching.slice(start, start + limit);
      const hasMore = matching.length > start + limit;
      return {
        changes: page,
        nextCursor: page.length > 0 ? String(start + page.length) : null,
        hasMore,
      };
    },
    async catalog() {
      catalogLoads += 1;
      return catalog;
    },
    async userRatings() {
      return new Map();
    },
  };
  return {
    client,
    feed,
    asked,
    catalogLoads: () => catalogLoads,
    setFailing: (value: boolean) => {
      failing = value;
    },
  };
}

const logger = createLogger({ service: 'test', level: 'silent' });
const movies: CatalogMovie[] = [
  { id: 'a', title: 'Alpha', genres: ['Drama'] },
  { id: 'b', title: 'Bravo', genres: ['Drama'] },
];

function syncFor(
  model: RecommendationModel,
  data: ReturnType<typeof fakeData>,
  options: { overlapMs?: number; pageSize?: number } = {},
) {
  return createModelSync({ model, data: data.client, logger, refreshMs: 1000, ...options });
}

describe('model sync', () => {
  it('loads everything first, then re-reads from the newest change minus the overlap', async () => {
    const data = fakeData(movies);
    data.feed.push(
      { userId: 'u1', movieId: 'a', rating: 5, updatedAtMs: 1000 },
      { userId: 'u1', movieId: 'b', rating: 4, updatedAtMs: 2000 },
      { userId: 'u2', movieId: 'a', rating: 3, updatedAtMs: 3000 },
    );
    const model = new RecommendationModel();
    const sync = syncFor(model, data, { overlapMs: 500, pageSize: 2 });
    expect(sync.loaded()).toBe(false);
    expect(await sync.refresh()).toEqual({ changes: 3, changedUsers: 2 });
    expect(sync.loaded()).toBe(true);
    expect(data.asked).toEqual([
      { since: undefined, cursor: undefined },
      { since: undefined, cursor: '2' },
    ]);

    // A write that committed late with an earlier timestamp is still inside the overlap window.
    data.feed.push({ userId: 'u3', movieId: 'b', rating: 2, updatedAtMs: 2900 });
    data.asked.length = 0;
    expect(await sync.refresh()).toEqual({ changes: 2, changedUsers: 1 });
    expect(data.asked[0]).toEqual({ since: 2500, cursor: undefined });
    expect(model.ratingsOf('u3')).toEqual(new Map([['b', 2]]));
    expect(model.stats().ratings).toBe(4);
  });

  it('applies deletions and reloads the catalog when a change names an unknown movie', async () => {
    const data = fakeData(movies);
    data.feed.push({ userId: 'u1', movieId: 'a', rating: 5, updatedAtMs: 1000 });
    const model = new RecommendationModel();
    const sync = syncFor(model, data);
    await sync.refresh();
    expect(data.catalogLoads()).toBe(1);
    movies.push({ id: 'c', title: 'Charlie', genres: ['Comedy'] });
    data.feed.push(
      { userId: 'u1', movieId: 'c', rating: 4, updatedAtMs: 2000 },
      { userId: 'u1', movieId: 'a', rating: null, updatedAtMs: 2001 },
    );
    await sync.refresh();
    expect(data.catalogLoads()).toBe(2);
    expect(model.hasMovie('c')).toBe(true);
    expect(model.ratingsOf('u1')).toEqual(new Map([['c', 4]]));
  });

  it('reads the catalog again when the first load met a rating of a movie the concurrent catalog read missed', async () => {
    const late = [...movies];
    const data = fakeData(late);
    data.feed.push(
      { userId: 'u1', movieId: 'a', rating: 5, updatedAtMs: 1000 },
      { userId: 'u1', movieId: 'late', rating: 4, updatedAtMs: 1001 },
    );
    const catalog = data.client.catalog.bind(data.client);
    data.client.catalog = async () => {
      const movies = await catalog();
      // The movie is created (and rated) while the first catalog read is under way.
      if (data.catalogLoads() === 1) late.push({ id: 'late', title: 'Late', genres: ['Drama'] });
      return data.catalogLoads() === 1 ? movies.filter((movie) => movie.id !== 'late') : movies;
    };
    const model = new RecommendationModel();
    const sync = syncFor(model, data, { pageSize: 1 });
    await sync.refresh();
    expect(data.catalogLoads()).toBe(2);
    expect(model.hasMovie('late')).toBe(true);
    expect(model.recommend(new Map([['a', 5]]), 5).map((r) => r.movieId)).toContain('late');
  });

  it('keeps polling after a failure and reports the error until a refresh succeeds', async () => {
    const data = fakeData(movies);
    data.setFailing(true);
    const model = new RecommendationModel();
    const sync = createModelSync({ model, data: data.client, logger, refreshMs: 20 });
    sync.start();
    try {
      await waitUntil(() => sync.lastError() !== undefined);
      expect(sync.lastError()).toBe('data is down');
      expect(sync.loaded()).toBe(false);
      data.setFailing(false);
      await waitUntil(() => sync.loaded());
      expect(sync.lastError()).toBeUndefined();
    } finally {
      await sync.stop();
    }
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
