import { startFerretDB, type FerretDBServer } from '@movies/testing';
import { MongoClient } from 'mongodb';
import { connectMongoStorage } from './mongo';
import type { ChangePosition, Storage } from './types';

// MongoDB-only behaviour of the change feed's "newest write" marker (feed_state); the shared
// contract suite (repositories.test.ts) covers what both stores must do.
jest.setTimeout(60_000);

let ferret: FerretDBServer;
let client: MongoClient;
let storage: Storage;
let dbName: string;
let counter = 0;

beforeAll(async () => {
  ferret = await startFerretDB();
  client = await new MongoClient(ferret.uri).connect();
});

afterAll(async () => {
  await client?.close();
  await ferret?.stop();
});

beforeEach(async () => {
  counter += 1;
  dbName = `marker${counter}`;
  storage = await connectMongoStorage({ uri: ferret.uri, dbName });
});

afterEach(async () => {
  await storage.close();
});

const rawRating = (userId: string, movieId: string, updatedAt: Date) => ({
  _id: `${movieId}:${userId}`,
  userId,
  movieId,
  rating: 4,
  deleted: false,
  updatedAt,
});

/** The ratings collection written directly, as an import or an older version would. */
const importedRatings = () => client.db(dbName).collection<ReturnType<typeof rawRating>>('ratings');

describe('change feed marker', () => {
  it('feeds ratings stored before the marker existed (no marker: always query)', async () => {
    const at = new Date(Date.now() - 1000);
    await importedRatings().insertOne(rawRating('old', 'heat-1995', at));
    const page = await storage.ratings.changes({ sinceMs: at.getTime(), limit: 10 });
    expect(page.changes.map((change) => change.userId)).toEqual(['old']);
  });

  it('is raised before each write, and reads above it skip the ratings query', async () => {
    const { rating } = await storage.ratings.upsert('u1', 'heat-1995', 5);
    const state = client.db(dbName).collection<{ _id: string; newest: Date }>('feed_state');
    expect((await state.findOne({ _id: 'ratings' }))?.newest).toEqual(rating.updatedAt);

    // A rating no write announced (as if still in flight) stays out of reads above the marker...
    const future = new Date(rating.updatedAt.getTime() + 60_000);
    await importedRatings().insertOne(rawRating('ghost', 'm-1931', future));
    const since = rating.updatedAt.getTime() + 1;
    expect((await storage.ratings.changes({ sinceMs: since, limit: 10 })).changes).toEqual([]);
    // ...and appears once a later write raises the marker past it.
    await state.updateOne({ _id: 'ratings' }, { $max: { newest: future } });
    expect(
      (await storage.ratings.changes({ sinceMs: since, limit: 10 })).changes.map((c) => c.userId),
    ).toEqual(['ghost']);
  });

  it('never cuts a paged read short, even when the marker lags behind imported ratings', async () => {
    await storage.ratings.upsert('u1', 'heat-1995', 5);
    const later = new Date(Date.now() + 60_000);
    await importedRatings().insertMany(
      ['a', 'b', 'c'].map((userId) => rawRating(userId, 'm-1931', later)),
    );
    const seen: string[] = [];
    let after;
    for (;;) {
      const page = await storage.ratings.changes({ limit: 2, after });
      seen.push(...page.changes.map((change) => change.userId));
      if (!page.hasMore) break;
      after = page.last!;
    }
    expect(seen).toEqual(['u1', 'a', 'b', 'c']);
  });

  it('is raised by a removal too, so the tombstone is fed', async () => {
    await storage.ratings.upsert('u1', 'heat-1995', 5);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const since = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await storage.ratings.remove('u1', 'heat-1995')).toBe(true);
    const page = await storage.ratings.changes({ sinceMs: since, limit: 10 });
    expect(page.changes).toMatchObject([{ userId: 'u1', deleted: true, rating: null }]);
  });
});

describe("a user's newest-change marker", () => {
  it('is one user_feed_state document per user, raised with each write', async () => {
    const { rating } = await storage.ratings.upsert('u1', 'heat-1995', 5);
    const state = client.db(dbName).collection<{ _id: string; newest: Date }>('user_feed_state');
    expect(await state.find({}).toArray()).toEqual([{ _id: 'u1', newest: rating.updatedAt }]);
  });

  it('reads as null for ratings stored without it (older versions, direct imports)', async () => {
    await importedRatings().insertOne(rawRating('old', 'heat-1995', new Date()));
    expect(await storage.ratings.newestChangeOf('old')).toBeNull();
  });
});

describe('paged feed reads', () => {
  const pageAll = async (
    target: Storage,
    position: (last: ChangePosition) => ChangePosition,
    other?: Storage,
  ) => {
    const pages: string[][] = [];
    const reads: Array<string | undefined> = [];
    let after: ChangePosition | undefined;
    for (let turn = 0; turn < 20; turn += 1) {
      // With `other`, every second page is asked of another replica (which holds no cursor).
      const asked = other && turn % 2 === 1 ? other : target;
      const page = await asked.ratings.changes({ limit: 3, after });
      pages.push(page.changes.map((change) => `${change.movieId}:${change.userId}`));
      reads.push(page.last?.read);
      if (!page.hasMore) break;
      after = position(page.last!);
    }
    return { pages, reads };
  };

  it('continue from a held cursor, or without it from the position, with the same pages', async () => {
    for (let index = 0; index < 8; index += 1) {
      await storage.ratings.upsert(`u${index}`, index % 2 ? 'heat-1995' : 'm-1931', 3);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const held = await pageAll(storage, (last) => last);
    const positional = await pageAll(storage, ({ updatedAt, key }) => ({ updatedAt, key }));
    const replica = await connectMongoStorage({ uri: ferret.uri, dbName });
    try {
      const mixed = await pageAll(storage, (last) => last, replica);
      expect(mixed.pages).toEqual(held.pages);
    } finally {
      await replica.close();
    }
    expect(held.pages.map((page) => page.length)).toEqual([3, 3, 2]);
    expect(positional.pages).toEqual(held.pages);
    expect(held.reads.slice(0, 2).every((read) => typeof read === 'string')).toBe(true);
    expect(held.reads[2]).toBeUndefined();
  });

  it('lose no write made while a paged read is held open (the next poll has it)', async () => {
    for (let index = 0; index < 5; index += 1) {
      await storage.ratings.upsert(`u${index}`, 'heat-1995', 2);
    }
    const first = await storage.ratings.changes({ limit: 2 });
    expect(first.last?.read).toBeDefined();
    await storage.ratings.upsert('u0', 'heat-1995', 5);
    await storage.ratings.upsert('late', 'm-1931', 4);
    const seen = [...first.changes];
    let after = first.last!;
    for (;;) {
      const page = await storage.ratings.changes({ limit: 2, after });
      seen.push(...page.changes);
      if (!page.hasMore) break;
      after = page.last!;
    }
    const newest = Math.max(...seen.map((change) => change.updatedAt.getTime()));
    const poll = await storage.ratings.changes({ sinceMs: newest - 10_000, limit: 100 });
    const state = new Map(
      [...seen, ...poll.changes].map((change) => [`${change.userId}`, change.rating]),
    );
    expect(state.get('u0')).toBe(5);
    expect(state.get('late')).toBe(4);
    expect(state.size).toBe(6);
  });
});
