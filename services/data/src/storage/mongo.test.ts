import { startFerretDB, type FerretDBServer } from '@movies/testing';
import { MongoClient } from 'mongodb';
import { connectMongoStorage } from './mongo';
import type { Storage } from './types';

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

describe('change feed marker', () => {
  it('feeds ratings stored before the marker existed (no marker: always query)', async () => {
    const at = new Date(Date.now() - 1000);
    await client
      .db(dbName)
      .collection('ratings')
      .insertOne(rawRating('old', 'heat-1995', at));
    const page = await storage.ratings.changes({ sinceMs: at.getTime(), limit: 10 });
    expect(page.changes.map((change) => change.userId)).toEqual(['old']);
  });

  it('is raised before each write, and reads above it skip the ratings query', async () => {
    const { rating } = await storage.ratings.upsert('u1', 'heat-1995', 5);
    const state = client.db(dbName).collection<{ _id: string; newest: Date }>('feed_state');
    expect((await state.findOne({ _id: 'ratings' }))?.newest).toEqual(rating.updatedAt);

    // A rating no write announced (as if still in flight) stays out of reads above the marker...
    const future = new Date(rating.updatedAt.getTime() + 60_000);
    await client
      .db(dbName)
      .collection('ratings')
      .insertOne(rawRating('ghost', 'm-1931', future));
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
    await client
      .db(dbName)
      .collection('ratings')
      .insertMany(['a', 'b', 'c'].map((userId) => rawRating(userId, 'm-1931', later)));
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
