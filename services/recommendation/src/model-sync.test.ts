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
    async userNewest() {
      return null;
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

describe('model sync: catching up with one user', () => {
  const change = (userId: string, movieId: string, rating: number, updatedAtMs: number) => ({
    userId,
    movieId,
    rating,
    updatedAtMs,
  });

  it('knows the newest ingested change of each user', async () => {
    const data = fakeData(movies);
    data.feed.push(
      change('u1', 'a', 4, 1000),
      change('u1', 'b', 2, 3000),
      change('u2', 'a', 5, 2000),
    );
    const sync = syncFor(new RecommendationModel(), data);
    await sync.refresh();
    expect(sync.newestOf('u1')).toBe(3000);
    expect(sync.newestOf('u2')).toBe(2000);
    expect(sync.newestOf('nobody')).toBeUndefined();
  });

  it('does not read the feed when the model already holds the change', async () => {
    const data = fakeData(movies);
    data.feed.push(change('u1', 'a', 4, 1000));
    const sync = syncFor(new RecommendationModel(), data);
    await sync.refresh();
    const reads = data.asked.length;
    await expect(sync.catchUp('u1', 1000, performance.now() + 1000)).resolves.toBe(true);
    expect(data.asked).toHaveLength(reads);
  });

  it('runs one refresh for every request waiting at that moment, and then holds the change', async () => {
    const data = fakeData(movies);
    const model = new RecommendationModel();
    data.feed.push(change('u1', 'a', 4, 1000));
    const sync = syncFor(model, data);
    await sync.refresh();
    data.feed.push(change('u1', 'b', 5, 5000), change('u2', 'b', 1, 5000));
    const reads = data.asked.length;
    const deadline = performance.now() + 5000;
    const answers = await Promise.all([
      sync.catchUp('u1', 5000, deadline),
      sync.catchUp('u2', 5000, deadline),
      sync.catchUp('u1', 5000, deadline),
    ]);
    expect(answers).toEqual([true, true, true]);
    expect(data.asked).toHaveLength(reads + 1);
    expect(model.ratingsOf('u1').get('b')).toBe(5);
  });

  it('gives up at the deadline when the feed never brings the change', async () => {
    const data = fakeData(movies);
    data.feed.push(change('u1', 'a', 4, 1000));
    const sync = syncFor(new RecommendationModel(), data);
    await sync.refresh();
    // data's marker says 9000, but no such change is in the feed (a write that never landed).
    const started = performance.now();
    await expect(sync.catchUp('u1', 9000, started + 200)).resolves.toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('answers false, not an error, when the refresh fails', async () => {
    const data = fakeData(movies);
    data.feed.push(change('u1', 'a', 4, 1000));
    const sync = syncFor(new RecommendationModel(), data);
    await sync.refresh();
    data.setFailing(true);
    await expect(sync.catchUp('u1', 2000, performance.now() + 1000)).resolves.toBe(false);
  });
});
