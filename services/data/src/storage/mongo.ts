import { MongoClient, MongoServerError, type Collection, type Db, type Filter } from 'mongodb';
import {
  escapeRegExp,
  ratingKey,
  type ChangePage,
  type ChangeQuery,
  type Movie,
  type MovieQuery,
  type MovieRepository,
  type Rating,
  type RatingChange,
  type RatingRepository,
  type Storage,
} from './types';

interface MovieDocument {
  _id: string;
  title: string;
  year: number;
  genres: string[];
}

interface RatingDocument {
  /** ratingKey(userId, movieId): one document per pair, also the change feed's tie-breaker. */
  _id: string;
  userId: string;
  movieId: string;
  rating: number | null;
  deleted: boolean;
  updatedAt: Date;
}

const DUPLICATE_KEY = 11000;
const SEED_BATCH = 50;
const isDuplicateKey = (error: unknown) =>
  error instanceof MongoServerError && error.code === DUPLICATE_KEY;

/** Every query below is served by one of these (created at start; createIndex is idempotent). */
export async function ensureIndexes(db: Db): Promise<void> {
  const movies = db.collection<MovieDocument>('movies');
  const ratings = db.collection<RatingDocument>('ratings');
  await movies.createIndex({ title: 1 }, { name: 'title' });
  await movies.createIndex({ genres: 1, _id: 1 }, { name: 'genres_id' });
  await ratings.createIndex({ userId: 1, movieId: 1 }, { name: 'user_movie', unique: true });
  await ratings.createIndex({ userId: 1, updatedAt: -1 }, { name: 'user_updated' });
  await ratings.createIndex({ updatedAt: 1, _id: 1 }, { name: 'change_feed' });
}

class MongoMovies implements MovieRepository {
  constructor(private readonly collection: Collection<MovieDocument>) {}

  async seed(movies: readonly Movie[]): Promise<void> {
    // Write only what is missing or different, so a restart with an unchanged catalog is a single
    // read, and in small batches (FerretDB v1 stalls on large batches of updates).
    const existing = new Map(
      (await this.collection.find({}).toArray()).map((document) => [
        document._id,
        toMovie(document),
      ]),
    );
    const changed = movies.filter((movie) => !sameMovie(existing.get(movie.id), movie));
    for (let start = 0; start < changed.length; start += SEED_BATCH) {
      const batch = changed.slice(start, start + SEED_BATCH);
      try {
        await this.collection.bulkWrite(
          batch.map((movie) => ({
            updateOne: {
              filter: { _id: movie.id },
              update: { $set: { title: movie.title, year: movie.year, genres: movie.genres } },
              upsert: true,
            },
          })),
          { ordered: false },
        );
      } catch (error) {
        // Another replica inserted the same ids at the same moment: their documents are identical.
        if (!isDuplicateKey(error) && !isBulkOfDuplicates(error)) throw error;
      }
    }
  }

  async list(query: MovieQuery): Promise<{ movies: Movie[]; hasMore: boolean }> {
    const filter: Filter<MovieDocument> = {};
    if (query.afterId !== undefined) filter._id = { $gt: query.afterId };
    if (query.q !== undefined) filter.title = { $regex: escapeRegExp(query.q), $options: 'i' };
    if (query.genre !== undefined) filter.genres = query.genre;
    const found = await this.collection
      .find(filter)
      .sort({ _id: 1 })
      .limit(query.limit + 1)
      .toArray();
    return {
      movies: found.slice(0, query.limit).map(toMovie),
      hasMore: found.length > query.limit,
    };
  }

  async get(id: string): Promise<Movie | null> {
    const found = await this.collection.findOne({ _id: id });
    return found ? toMovie(found) : null;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, Movie>> {
    const found = new Map<string, Movie>();
    if (ids.length === 0) return found;
    for (const document of await this.collection.find({ _id: { $in: [...ids] } }).toArray()) {
      found.set(document._id, toMovie(document));
    }
    return found;
  }

  async genres(): Promise<string[]> {
    const genres = (await this.collection.distinct('genres')) as string[];
    return genres.sort();
  }
}

class MongoRatings implements RatingRepository {
  constructor(private readonly collection: Collection<RatingDocument>) {}

  async upsert(
    userId: string,
    movieId: string,
    rating: number,
  ): Promise<{ rating: Rating; created: boolean }> {
    const updatedAt = new Date();
    const write = () =>
      this.collection.findOneAndUpdate(
        { _id: ratingKey(userId, movieId) },
        { $set: { userId, movieId, rating, deleted: false, updatedAt } },
        { upsert: true, returnDocument: 'before' },
      );
    let before: RatingDocument | null;
    try {
      before = await write();
    } catch (error) {
      // Two concurrent first ratings of the same pair: one inserted, the other now updates it.
      if (!isDuplicateKey(error)) throw error;
      before = await write();
    }
    return {
      rating: { userId, movieId, rating, updatedAt },
      created: before === null || before.deleted,
    };
  }

  async listByUser(userId: string): Promise<Rating[]> {
    const found = await this.collection
      .find({ userId, deleted: false })
      .sort({ updatedAt: -1, _id: 1 })
      .toArray();
    return found.map((document) => ({
      userId: document.userId,
      movieId: document.movieId,
      rating: document.rating ?? 0,
      updatedAt: document.updatedAt,
    }));
  }

  async remove(userId: string, movieId: string): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: ratingKey(userId, movieId), deleted: false },
      { $set: { rating: null, deleted: true, updatedAt: new Date() } },
    );
    return result.modifiedCount === 1;
  }

  async changes(query: ChangeQuery): Promise<ChangePage> {
    let filter: Filter<RatingDocument> = {};
    if (query.after) {
      const at = new Date(query.after.updatedAt);
      filter = {
        $or: [{ updatedAt: { $gt: at } }, { updatedAt: at, _id: { $gt: query.after.key } }],
      };
    } else if (query.sinceMs !== undefined) {
      filter = { updatedAt: { $gte: new Date(query.sinceMs) } };
    }
    const found = await this.collection
      .find(filter)
      .sort({ updatedAt: 1, _id: 1 })
      .limit(query.limit + 1)
      .toArray();
    const page = found.slice(0, query.limit);
    const tail = page[page.length - 1];
    return {
      changes: page.map(toChange),
      last: tail ? { updatedAt: tail.updatedAt.getTime(), key: tail._id } : null,
      hasMore: found.length > query.limit,
    };
  }
}

function toMovie(document: MovieDocument): Movie {
  return { id: document._id, title: document.title, year: document.year, genres: document.genres };
}

function sameMovie(stored: Movie | undefined, movie: Movie): boolean {
  return (
    stored !== undefined &&
    stored.title === movie.title &&
    stored.year === movie.year &&
    stored.genres.length === movie.genres.length &&
    stored.genres.every((genre, index) => genre === movie.genres[index])
  );
}

function toChange(document: RatingDocument): RatingChange {
  return {
    userId: document.userId,
    movieId: document.movieId,
    rating: document.deleted ? null : document.rating,
    deleted: document.deleted,
    updatedAt: document.updatedAt,
  };
}

function isBulkOfDuplicates(error: unknown): boolean {
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  return list.length > 0 && list.every((entry: { code?: number }) => entry.code === DUPLICATE_KEY);
}

export interface MongoStorageOptions {
  uri: string;
  dbName: string;
  serverSelectionTimeoutMS?: number;
}

/** Connects, creates the indexes and returns the repositories; the caller seeds the catalog. */
export async function connectMongoStorage(options: MongoStorageOptions): Promise<Storage> {
  const client = new MongoClient(options.uri, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
  });
  await client.connect();
  try {
    const db = client.db(options.dbName);
    await ensureIndexes(db);
    return {
      kind: 'mongodb',
      movies: new MongoMovies(db.collection<MovieDocument>('movies')),
      ratings: new MongoRatings(db.collection<RatingDocument>('ratings')),
      async ping() {
        await db.command({ ping: 1 });
      },
      close: () => client.close(),
    };
  } catch (error) {
    await client.close();
    throw error;
  }
}
