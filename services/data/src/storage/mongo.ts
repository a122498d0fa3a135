import {
  MongoClient,
  MongoServerError,
  type Collection,
  type Db,
  type Filter,
  type FindCursor,
  type MongoClientOptions,
} from 'mongodb';
import { HeldReads, type Closable } from './held-reads';
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

/**
 * The newest `updatedAt` a rating write has announced. A write raises it with $max BEFORE it
 * writes the rating, so every visible rating is at or below it. In `feed_state` one document
 * (`_id: 'ratings'`) covers every rating: a feed read whose lower bound lies above it needs no
 * query of the ratings at all. In `user_feed_state` one document per user (`_id: userId`) covers
 * that user's ratings: recommendation waits for the feed only when it has not yet seen a change
 * of the user this new. Ratings older than the markers (or inserted directly) simply have none.
 */
interface FeedStateDocument {
  _id: string;
  newest: Date;
}

const FEED_STATE_ID = 'ratings';

const DUPLICATE_KEY = 11000;
const SEED_INSERT_BATCH = 1000;
const SEED_UPDATE_BATCH = 50;
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
    // One read, then inserts for the missing movies and updates only for changed ones: a restart
    // with an unchanged catalog writes nothing, and a first start is a few bulk inserts. Updates
    // by id are kept to small batches (FerretDB v1 scans the collection for each and stalls on a
    // single large batch of them).
    const existing = new Map(
      (await this.collection.find({}).toArray()).map((document) => [
        document._id,
        toMovie(document),
      ]),
    );
    const missing = movies.filter((movie) => !existing.has(movie.id));
    const changed = movies.filter(
      (movie) => existing.has(movie.id) && !sameMovie(existing.get(movie.id), movie),
    );
    const raced = await this.insertMissing(missing);
    // Another replica seeding at the same moment inserted these first: update only if different.
    const theirs =
      raced.length === 0 ? new Map<string, Movie>() : await this.getMany(raced.map((m) => m.id));
    await this.update([
      ...changed,
      ...raced.filter((movie) => !sameMovie(theirs.get(movie.id), movie)),
    ]);
  }

  /** Inserts the movies; returns those another replica inserted first (to compare and update). */
  private async insertMissing(movies: readonly Movie[]): Promise<Movie[]> {
    const raced: Movie[] = [];
    for (let start = 0; start < movies.length; start += SEED_INSERT_BATCH) {
      const batch = movies.slice(start, start + SEED_INSERT_BATCH);
      try {
        await this.collection.insertMany(batch.map(toMovieDocument), { ordered: false });
      } catch (error) {
        const duplicates = duplicateIndexes(error);
        if (!duplicates) throw error;
        for (const index of duplicates) raced.push(batch[index]!);
      }
    }
    return raced;
  }

  private async update(movies: readonly Movie[]): Promise<void> {
    for (let start = 0; start < movies.length; start += SEED_UPDATE_BATCH) {
      await this.collection.bulkWrite(
        movies.slice(start, start + SEED_UPDATE_BATCH).map((movie) => {
          const { _id, ...fields } = toMovieDocument(movie);
          return { updateOne: { filter: { _id }, update: { $set: fields } } };
        }),
        { ordered: false },
      );
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

/** An open feed query between pages, with the one document read ahead to tell `hasMore`. */
interface FeedRead extends Closable {
  cursor: FindCursor<RatingDocument>;
  peeked?: RatingDocument;
}

class MongoRatings implements RatingRepository {
  private readonly reads = new HeldReads<FeedRead>({ max: 4, idleMs: 60_000 });

  constructor(
    private readonly collection: Collection<RatingDocument>,
    private readonly feedState: Collection<FeedStateDocument>,
    private readonly userFeedState: Collection<FeedStateDocument>,
  ) {}

  /** Raises the feed's and the user's markers (one `_id` upsert each) before a rating write. */
  private async announce(userId: string, updatedAt: Date): Promise<void> {
    await Promise.all([
      raiseMarker(this.feedState, FEED_STATE_ID, updatedAt),
      raiseMarker(this.userFeedState, userId, updatedAt),
    ]);
  }

  async newestChangeOf(userId: string): Promise<number | null> {
    const state = await this.userFeedState.findOne({ _id: userId });
    return state === null ? null : state.newest.getTime();
  }

  /** True when no rating written through this repository can be at or after `lowerBound` (ms). */
  private async nothingSince(lowerBound: number): Promise<boolean> {
    const state = await this.feedState.findOne({ _id: FEED_STATE_ID });
    return state !== null && state.newest.getTime() < lowerBound;
  }

  async upsert(
    userId: string,
    movieId: string,
    rating: number,
  ): Promise<{ rating: Rating; created: boolean }> {
    const updatedAt = new Date();
    await this.announce(userId, updatedAt);
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
    const updatedAt = new Date();
    await this.announce(userId, updatedAt);
    // Filtered by _id alone (the one filter FerretDB hands to its database): removing a removed
    // rating only moves its tombstone forward in the feed, which consumers apply idempotently.
    const before = await this.collection.findOneAndUpdate(
      { _id: ratingKey(userId, movieId) },
      { $set: { rating: null, deleted: true, updatedAt } },
      { returnDocument: 'before' },
    );
    return before !== null && !before.deleted;
  }

  async changes(query: ChangeQuery): Promise<ChangePage> {
    // Only a fresh poll is answered from the marker: a page after a cursor continues a read that
    // found more, which must not be cut short by a marker another writer (a bulk import) left behind.
    if (query.after === undefined && query.sinceMs !== undefined) {
      if (await this.nothingSince(query.sinceMs))
        return { changes: [], last: null, hasMore: false };
    }
    const held = query.after?.read === undefined ? undefined : this.reads.take(query.after.read);
    if (held) {
      try {
        return await this.readPage(held, query.limit);
      } catch {
        await held.cursor.close().catch(() => {});
        // The held cursor died (expired on the server, connection lost): query again below.
      }
    }
    let filter: Filter<RatingDocument> = {};
    if (query.after) {
      const at = new Date(query.after.updatedAt);
      filter = {
        $or: [{ updatedAt: { $gt: at } }, { updatedAt: at, _id: { $gt: query.after.key } }],
      };
    } else if (query.sinceMs !== undefined) {
      filter = { updatedAt: { $gte: new Date(query.sinceMs) } };
    }
    const cursor = this.collection
      .find(filter)
      .sort({ updatedAt: 1, _id: 1 })
      .batchSize(query.limit + 1);
    return this.readPage({ cursor, close: () => cursor.close() }, query.limit);
  }

  /**
   * Reads one page from an open cursor; when more follow, the cursor stays open (held) for the
   * next page, whose request carries its id. FerretDB sorts the whole collection for each new
   * query, so a paged full load costs one sort instead of one per page; any replica without the
   * held cursor continues from the position instead, with the same result.
   */
  private async readPage(read: FeedRead, limit: number): Promise<ChangePage> {
    const found: RatingDocument[] = read.peeked ? [read.peeked] : [];
    while (found.length <= limit) {
      const next = await read.cursor.next();
      if (next === null) break;
      found.push(next);
    }
    const page = found.slice(0, limit);
    const hasMore = found.length > limit;
    let heldId: string | undefined;
    if (hasMore) heldId = this.reads.hold({ ...read, peeked: found[limit] });
    else await read.close();
    const tail = page[page.length - 1];
    return {
      changes: page.map(toChange),
      last: tail ? { updatedAt: tail.updatedAt.getTime(), key: tail._id, read: heldId } : null,
      hasMore,
    };
  }

  close(): Promise<void> {
    return this.reads.closeAll();
  }
}

/** Raises a marker to `updatedAt` with $max, creating it when missing; never lowers it. */
async function raiseMarker(
  collection: Collection<FeedStateDocument>,
  id: string,
  updatedAt: Date,
): Promise<void> {
  const raise = () =>
    collection.updateOne({ _id: id }, { $max: { newest: updatedAt } }, { upsert: true });
  try {
    await raise();
  } catch (error) {
    // The first writes race to create the marker: the losers now update it.
    if (!isDuplicateKey(error)) throw error;
    await raise();
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

function toMovieDocument(movie: Movie): MovieDocument {
  return { _id: movie.id, title: movie.title, year: movie.year, genres: [...movie.genres] };
}

/**
 * The batch positions that failed only because the id exists already (another replica inserted
 * it), or undefined when anything else failed.
 */
function duplicateIndexes(error: unknown): number[] | undefined {
  if (!(error instanceof MongoServerError)) return undefined;
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const list: Array<{ code?: number; index?: number }> = Array.isArray(writeErrors)
    ? writeErrors
    : writeErrors
      ? [writeErrors]
      : [];
  if (
    list.length === 0 ||
    !list.every((entry) => entry.code === DUPLICATE_KEY && typeof entry.index === 'number')
  )
    return undefined;
  return list.map((entry) => entry.index!);
}

export interface MongoStorageOptions {
  uri: string;
  dbName: string;
  /** The kit's mongoClientOptions (TLS with the CA bundle, retryable writes off). */
  clientOptions?: MongoClientOptions;
}

/** Connects, creates the indexes and returns the repositories; the caller seeds the catalog. */
export async function connectMongoStorage(options: MongoStorageOptions): Promise<Storage> {
  const client = new MongoClient(options.uri, {
    serverSelectionTimeoutMS: 5000,
    appName: 'movies-data',
    ...options.clientOptions,
  });
  await client.connect();
  try {
    const db = client.db(options.dbName);
    await ensureIndexes(db);
    const ratings = new MongoRatings(
      db.collection<RatingDocument>('ratings'),
      db.collection<FeedStateDocument>('feed_state'),
      db.collection<FeedStateDocument>('user_feed_state'),
    );
    return {
      kind: 'mongodb',
      movies: new MongoMovies(db.collection<MovieDocument>('movies')),
      ratings,
      async ping() {
        await db.command({ ping: 1 });
      },
      async close() {
        await ratings.close();
        await client.close();
      },
    };
  } catch (error) {
    await client.close();
    throw error;
  }
}
