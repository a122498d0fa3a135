import { createPrivateKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { MongoClient } from 'mongodb';
import { signRs256 } from '@movies/testing';
import type { DatasetRating } from '../dataset';
import { runLoad } from '../load';

/** Mints access tokens as auth does (RS256, kid header, iss/aud/sub/exp), cached per user. */
export class TokenMinter {
  private readonly key: KeyObject;
  private readonly cache = new Map<string, string>();

  constructor(
    keyFile: string,
    private readonly kid: string,
    private readonly ttlSeconds = 4 * 3600,
  ) {
    this.key = createPrivateKey(fs.readFileSync(keyFile));
  }

  token(userId: string): string {
    let token = this.cache.get(userId);
    if (!token) {
      const now = Math.floor(Date.now() / 1000);
      token = signRs256(
        this.key,
        { kid: this.kid },
        { sub: userId, iss: 'movies-auth', aud: 'movies', iat: now, exp: now + this.ttlSeconds },
      );
      this.cache.set(userId, token);
    }
    return token;
  }
}

/** Writes ratings through data's public API (PUT /ratings/:movieId as each user), bounded concurrency. */
export async function seedThroughApi(
  dataUrl: string,
  ratings: readonly DatasetRating[],
  minter: TokenMinter,
  connections = 16,
): Promise<void> {
  if (ratings.length === 0) return;
  const result = await runLoad({
    baseUrl: dataUrl,
    connections,
    durationMs: 30 * 60_000,
    maxRequests: ratings.length,
    timeoutMs: 30_000,
    next: (index) => {
      const rating = ratings[index] as DatasetRating;
      return {
        method: 'PUT',
        path: `/ratings/${encodeURIComponent(rating.movieId)}`,
        headers: { authorization: `Bearer ${minter.token(rating.userId)}` },
        body: JSON.stringify({ rating: rating.rating }),
      };
    },
  });
  if (result.failures > 0 || result.requests !== ratings.length) {
    throw new Error(
      `seeding through data's API: ${result.failures} of ${result.requests} writes failed (${JSON.stringify(result.outcomes)})`,
    );
  }
}

/**
 * The _id data's MongoDB repository gives a rating: must equal ratingKey() in
 * services/data/src/storage/types.ts (seed.test.ts checks that it does).
 */
export function ratingDocumentId(userId: string, movieId: string): string {
  return `${movieId}:${userId}`;
}

/** A rating as data's MongoDB repository stores it (services/data/src/storage/mongo.ts). */
export function ratingDocument(rating: DatasetRating, updatedAt: Date) {
  return {
    _id: ratingDocumentId(rating.userId, rating.movieId),
    userId: rating.userId,
    movieId: rating.movieId,
    rating: rating.rating,
    deleted: false,
    updatedAt,
  };
}

/**
 * Inserts ratings straight into the database in data's schema (insertMany in batches): a write
 * through the API costs a FerretDB update each, far too slow for 200k ratings. Only for new
 * pairs (the dataset has one rating per pair).
 */
export async function seedIntoMongo(
  uri: string,
  dbName: string,
  ratings: readonly DatasetRating[],
  batchSize = 5000,
): Promise<void> {
  const client = new MongoClient(uri);
  try {
    const db = client.db(dbName);
    const collection = db.collection<ReturnType<typeof ratingDocument>>('ratings');
    const feedState = db.collection<{ _id: string; newest: Date }>('feed_state');
    for (let start = 0; start < ratings.length; start += batchSize) {
      const updatedAt = new Date();
      // As data's own writes do: announce the newest change first, so data's feed knows a poll
      // after it has nothing new (see FeedStateDocument in services/data/src/storage/mongo.ts).
      await feedState.updateOne(
        { _id: 'ratings' },
        { $max: { newest: updatedAt } },
        { upsert: true },
      );
      const batch = ratings
        .slice(start, start + batchSize)
        .map((r) => ratingDocument(r, updatedAt));
      const result = await collection.insertMany(batch, { ordered: false });
      if (result.insertedCount !== batch.length) {
        throw new Error(`insertMany wrote ${result.insertedCount} of ${batch.length} ratings`);
      }
    }
  } finally {
    await client.close();
  }
}
