import { loadConfig, mongoClientOptions } from '@movies/kit';
import { startFerretDB, type FerretDBServer } from '@movies/testing';
import { dataConfigShape } from '../config';
import { createMemoryStorage } from './memory';
import { connectMongoStorage } from './mongo';
import type { Movie, RatingChange, Storage } from './types';

jest.setTimeout(60_000);

const movies: Movie[] = [
  { id: 'alien-1979', title: 'Alien', year: 1979, genres: ['Horror', 'Science Fiction'] },
  { id: 'aliens-1986', title: 'Aliens', year: 1986, genres: ['Action', 'Science Fiction'] },
  { id: 'amelie-2001', title: 'Amelie', year: 2001, genres: ['Comedy', 'Romance'] },
  { id: 'heat-1995', title: 'Heat', year: 1995, genres: ['Action', 'Crime'] },
  { id: 'm-1931', title: 'M', year: 1931, genres: ['Crime'] },
  { id: 'what-1999', title: 'What? (a.k.a. [Who*])', year: 1999, genres: ['Comedy'] },
];

let ferret: FerretDBServer | undefined;
let ferretTls: FerretDBServer | undefined;
let databaseCounter = 0;

afterAll(async () => {
  await ferret?.stop();
  await ferretTls?.stop();
});

const implementations: Array<[string, () => Promise<Storage>]> = [
  ['in-memory', async () => createMemoryStorage()],
  [
    'MongoDB (FerretDB)',
    async () => {
      ferret ??= await startFerretDB();
      databaseCounter += 1;
      return connectMongoStorage({ uri: ferret.uri, dbName: `contract${databaseCounter}` });
    },
  ],
  [
    // DocumentDB's settings: TLS only, verified against the CA bundle file, no retryable writes.
    'MongoDB over TLS with the DocumentDB client options',
    async () => {
      ferretTls ??= await startFerretDB({ tls: true });
      databaseCounter += 1;
      const config = loadConfig(dataConfigShape, {
        AUTH_URL: 'http://127.0.0.1:1',
        MONGODB_TLS_CA_FILE: ferretTls.caFile!,
      });
      return connectMongoStorage({
        uri: ferretTls.uri.replace(/\?.*$/, ''),
        dbName: `contract${databaseCounter}`,
        clientOptions: mongoClientOptions(config, 'movies-data'),
      });
    },
  ],
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fakes only `Date` (set it on with jest.setSystemTime); timers stay real for the drivers. */
const freezeWallClock = (now: number) =>
  jest.useFakeTimers({
    now,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });

describe.each(implementations)('repository contract: %s', (_name, create) => {
  let storage: Storage;

  beforeEach(async () => {
    storage = await create();
    await storage.movies.seed(movies);
  });

  afterEach(async () => {
    await storage.close();
  });

  describe('movies', () => {
    it('seeding twice (or concurrently) keeps one copy of each movie and refreshes facts', async () => {
      await Promise.all([storage.movies.seed(movies), storage.movies.seed(movies)]);
      await storage.movies.seed([{ ...movies[3]!, title: 'Heat (1995)' }]);
      const page = await storage.movies.list({ limit: 100 });
      expect(page.movies.map((movie) => movie.id)).toEqual(movies.map((movie) => movie.id));
      expect((await storage.movies.get('heat-1995'))?.title).toBe('Heat (1995)');
    });

    it('first-start seeds of a large catalog by concurrent replicas insert each movie once', async () => {
      const catalog: Movie[] = Array.from({ length: 1500 }, (_, index) => ({
        id: `feature-${String(index).padStart(4, '0')}-2000`,
        title: `Feature ${index}`,
        year: 2000,
        genres: [index % 2 === 0 ? 'Drama' : 'Comedy'],
      }));
      const edited = catalog.map((movie, index) =>
        index === 7 ? { ...movie, title: 'Feature seven' } : movie,
      );
      await Promise.all([storage.movies.seed(catalog), storage.movies.seed(edited)]);
      const ids: string[] = [];
      let afterId: string | undefined;
      for (;;) {
        const page = await storage.movies.list({ limit: 100, afterId });
        ids.push(...page.movies.map((movie) => movie.id));
        if (!page.hasMore) break;
        afterId = page.movies.at(-1)!.id;
      }
      expect(ids).toEqual(
        [...catalog.map((movie) => movie.id), ...movies.map((movie) => movie.id)].sort(),
      );
      expect(['Feature 7', 'Feature seven']).toContain(
        (await storage.movies.get('feature-0007-2000'))?.title,
      );
      await storage.movies.seed(edited);
      expect((await storage.movies.get('feature-0007-2000'))?.title).toBe('Feature seven');
      expect((await storage.movies.get('feature-1499-2000'))?.genres).toEqual(['Comedy']);
    });

    it('pages in id order without gaps or repeats', async () => {
      const first = await storage.movies.list({ limit: 4 });
      expect(first.hasMore).toBe(true);
      const second = await storage.movies.list({ limit: 4, afterId: first.movies.at(-1)!.id });
      expect(second.hasMore).toBe(false);
      expect([...first.movies, ...second.movies]).toEqual(movies);
    });

    it('searches titles case-insensitively and literally, and filters by genre', async () => {
      const ids = async (query: { q?: string; genre?: string }) =>
        (await storage.movies.list({ ...query, limit: 100 })).movies.map((movie) => movie.id);
      expect(await ids({ q: 'ALIEN' })).toEqual(['alien-1979', 'aliens-1986']);
      expect(await ids({ q: '(a.k.a. [who*])' })).toEqual(['what-1999']);
      expect(await ids({ q: '.*' })).toEqual([]);
      expect(await ids({ genre: 'Action' })).toEqual(['aliens-1986', 'heat-1995']);
      expect(await ids({ genre: 'action' })).toEqual([]);
      expect(await ids({ q: 'e', genre: 'Crime' })).toEqual(['heat-1995']);
    });

    it('gets one or many by id and lists the genres', async () => {
      expect(await storage.movies.get('m-1931')).toEqual(movies[4]);
      expect(await storage.movies.get('nope-2000')).toBeNull();
      const many = await storage.movies.getMany(['m-1931', 'nope-2000', 'alien-1979']);
      expect([...many.keys()].sort()).toEqual(['alien-1979', 'm-1931']);
      expect(await storage.movies.genres()).toEqual([
        'Action',
        'Comedy',
        'Crime',
        'Horror',
        'Romance',
        'Science Fiction',
      ]);
    });
  });

  describe('ratings', () => {
    it('creates, then replaces, a rating and lists the user ratings newest first', async () => {
      const first = await storage.ratings.upsert('u1', 'alien-1979', 4);
      expect(first.created).toBe(true);
      expect(first.rating).toMatchObject({ userId: 'u1', movieId: 'alien-1979', rating: 4 });
      await sleep(5);
      await storage.ratings.upsert('u1', 'heat-1995', 2);
      await sleep(5);
      const replaced = await storage.ratings.upsert('u1', 'alien-1979', 5);
      expect(replaced.created).toBe(false);
      await storage.ratings.upsert('u2', 'heat-1995', 1);
      const mine = await storage.ratings.listByUser('u1');
      expect(mine.map((rating) => [rating.movieId, rating.rating])).toEqual([
        ['alien-1979', 5],
        ['heat-1995', 2],
      ]);
      expect(mine[0]!.updatedAt).toBeInstanceOf(Date);
    });

    it('removes a rating once; re-rating afterwards counts as created', async () => {
      await storage.ratings.upsert('u1', 'alien-1979', 4);
      expect(await storage.ratings.remove('u1', 'alien-1979')).toBe(true);
      expect(await storage.ratings.remove('u1', 'alien-1979')).toBe(false);
      expect(await storage.ratings.remove('u1', 'heat-1995')).toBe(false);
      expect(await storage.ratings.listByUser('u1')).toEqual([]);
      expect((await storage.ratings.upsert('u1', 'alien-1979', 3)).created).toBe(true);
    });

    it('keeps exactly one rating after many concurrent upserts of the same pair', async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          storage.ratings.upsert('racer', 'm-1931', (index % 5) + 1),
        ),
      );
      expect(results.filter((result) => result.created)).toHaveLength(1);
      const stored = await storage.ratings.listByUser('racer');
      expect(stored).toHaveLength(1);
      expect(results.map((result) => result.rating.rating)).toContain(stored[0]!.rating);
    });

    it('feeds every change in (updatedAt, key) order, pages without loss, and reports deletions', async () => {
      // Distinct instants so the expected order is known (equal instants are ordered by key).
      await storage.ratings.upsert('u1', 'alien-1979', 4);
      await sleep(3);
      await storage.ratings.upsert('u2', 'alien-1979', 5);
      await storage.ratings.upsert('u1', 'heat-1995', 3);
      await storage.ratings.upsert('u3', 'm-1931', 1);
      await sleep(3);
      await storage.ratings.remove('u2', 'alien-1979');

      const seen: RatingChange[] = [];
      let after;
      for (;;) {
        const page = await storage.ratings.changes({ limit: 2, after });
        seen.push(...page.changes);
        if (!page.hasMore) break;
        after = page.last!;
      }
      expect(seen).toHaveLength(4);
      const times = seen.map((change) => change.updatedAt.getTime());
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(seen.at(-1)).toMatchObject({
        userId: 'u2',
        movieId: 'alien-1979',
        deleted: true,
        rating: null,
      });
      expect(
        seen
          .filter((change) => !change.deleted)
          .map((change) => `${change.userId}/${change.movieId}=${change.rating}`)
          .sort(),
      ).toEqual(['u1/alien-1979=4', 'u1/heat-1995=3', 'u3/m-1931=1']);
    });

    it('pages across many changes at the same instant, tombstones included, in key order', async () => {
      // Freeze only the wall clock, so every write below gets one of two instants.
      const instant = Date.UTC(2030, 0, 1);
      freezeWallClock(instant);
      const pairs: Array<[string, string]> = [];
      for (const userId of ['u2', 'u10', 'u1']) {
        for (const movie of movies.slice(0, 3)) pairs.push([userId, movie.id]);
      }
      try {
        for (const [userId, movieId] of pairs) await storage.ratings.upsert(userId, movieId, 3);
        await storage.ratings.remove('u10', 'aliens-1986');
        jest.setSystemTime(instant + 1);
        await storage.ratings.upsert('u1', 'alien-1979', 5);
        await storage.ratings.upsert('u0', 'm-1931', 1);
      } finally {
        jest.useRealTimers();
      }

      const seen: RatingChange[] = [];
      let after;
      for (let pages = 0; pages < 20; pages += 1) {
        const page = await storage.ratings.changes({ limit: 2, after });
        seen.push(...page.changes);
        if (!page.hasMore) break;
        after = page.last!;
      }
      const keyOf = (change: RatingChange) => `${change.movieId}:${change.userId}`;
      const first = pairs
        .filter(([userId, movieId]) => !(userId === 'u1' && movieId === 'alien-1979'))
        .map(([userId, movieId]) => `${movieId}:${userId}`)
        .sort();
      expect(seen.map(keyOf)).toEqual([...first, 'alien-1979:u1', 'm-1931:u0']);
      expect(seen.map((change) => change.updatedAt.getTime())).toEqual([
        ...first.map(() => Date.UTC(2030, 0, 1)),
        Date.UTC(2030, 0, 1) + 1,
        Date.UTC(2030, 0, 1) + 1,
      ]);
      expect(seen.find((change) => keyOf(change) === 'aliens-1986:u10')).toMatchObject({
        deleted: true,
        rating: null,
      });
      expect(seen.find((change) => keyOf(change) === 'alien-1979:u1')?.rating).toBe(5);
      const since = await storage.ratings.changes({ sinceMs: Date.UTC(2030, 0, 1) + 1, limit: 10 });
      expect(since.changes.map(keyOf)).toEqual(['alien-1979:u1', 'm-1931:u0']);
    });

    it('returns only changes at or after `since`', async () => {
      await storage.ratings.upsert('u1', 'alien-1979', 4);
      await sleep(20);
      const since = Date.now();
      await sleep(5);
      await storage.ratings.upsert('u1', 'heat-1995', 3);
      await sleep(3);
      await storage.ratings.remove('u1', 'alien-1979');
      const page = await storage.ratings.changes({ sinceMs: since, limit: 100 });
      expect(page.changes.map((change) => [change.movieId, change.deleted])).toEqual([
        ['heat-1995', false],
        ['alien-1979', true],
      ]);
      expect(page.hasMore).toBe(false);
      expect(
        (await storage.ratings.changes({ sinceMs: Date.now() + 60_000, limit: 10 })).changes,
      ).toEqual([]);
    });
  });

  describe("a user's newest change", () => {
    it('is null for a user without writes', async () => {
      await storage.ratings.upsert('u1', 'alien-1979', 4);
      expect(await storage.ratings.newestChangeOf('u2')).toBeNull();
    });

    it("equals the newest write's updatedAt, a removal's tombstone included", async () => {
      const first = await storage.ratings.upsert('u1', 'alien-1979', 4);
      expect(await storage.ratings.newestChangeOf('u1')).toBe(first.rating.updatedAt.getTime());
      await sleep(5);
      const second = await storage.ratings.upsert('u1', 'heat-1995', 2);
      expect(second.rating.updatedAt.getTime()).toBeGreaterThan(first.rating.updatedAt.getTime());
      expect(await storage.ratings.newestChangeOf('u1')).toBe(second.rating.updatedAt.getTime());
      await sleep(5);
      expect(await storage.ratings.remove('u1', 'alien-1979')).toBe(true);
      const tombstone = (
        await storage.ratings.changes({ sinceMs: second.rating.updatedAt.getTime() + 1, limit: 10 })
      ).changes;
      expect(tombstone).toMatchObject([{ userId: 'u1', movieId: 'alien-1979', deleted: true }]);
      expect(await storage.ratings.newestChangeOf('u1')).toBe(tombstone[0]!.updatedAt.getTime());
    });

    it('is never lowered by a write with an older clock', async () => {
      const later = Date.UTC(2030, 0, 1, 12);
      try {
        freezeWallClock(later);
        await storage.ratings.upsert('u1', 'alien-1979', 4);
        jest.setSystemTime(later - 60_000);
        const older = await storage.ratings.upsert('u1', 'heat-1995', 2);
        expect(older.rating.updatedAt.getTime()).toBe(later - 60_000);
        await storage.ratings.upsert('u1', 'alien-1979', 5);
      } finally {
        jest.useRealTimers();
      }
      expect(await storage.ratings.newestChangeOf('u1')).toBe(later);
    });

    it("is per user: another user's writes leave it alone", async () => {
      const mine = await storage.ratings.upsert('u1', 'alien-1979', 4);
      await sleep(5);
      await storage.ratings.upsert('u2', 'alien-1979', 3);
      await storage.ratings.upsert('u10', 'heat-1995', 1);
      expect(await storage.ratings.remove('u2', 'alien-1979')).toBe(true);
      expect(await storage.ratings.newestChangeOf('u1')).toBe(mine.rating.updatedAt.getTime());
      expect(await storage.ratings.newestChangeOf('u2')).toBeGreaterThan(
        mine.rating.updatedAt.getTime(),
      );
    });
  });

  it('answers a ping', async () => {
    await expect(storage.ping()).resolves.toBeUndefined();
  });
});
