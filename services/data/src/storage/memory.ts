import {
  escapeRegExp,
  ratingKey,
  type ChangePage,
  type ChangePosition,
  type ChangeQuery,
  type Movie,
  type MovieQuery,
  type MovieRepository,
  type Rating,
  type RatingChange,
  type RatingRepository,
  type Storage,
} from './types';

/**
 * The current state of one (user, movie) pair. Records are replaced, never changed, so the change
 * log can hold them directly and tell a superseded entry by identity. `rating` null = deleted.
 */
interface StoredRating {
  readonly userId: string;
  readonly movieId: string;
  readonly rating: number | null;
  readonly updatedAt: number;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const copyMovie = (movie: Movie): Movie => ({ ...movie, genres: [...movie.genres] });

class MemoryMovies implements MovieRepository {
  private readonly movies = new Map<string, Movie>();
  private sorted: Movie[] = [];

  async seed(movies: readonly Movie[]): Promise<void> {
    for (const movie of movies) this.movies.set(movie.id, copyMovie(movie));
    this.sorted = [...this.movies.values()].sort(byId);
  }

  async list(query: MovieQuery): Promise<{ movies: Movie[]; hasMore: boolean }> {
    const pattern = query.q === undefined ? undefined : new RegExp(escapeRegExp(query.q), 'i');
    const found: Movie[] = [];
    for (const movie of this.sorted) {
      if (query.afterId !== undefined && movie.id <= query.afterId) continue;
      if (pattern && !pattern.test(movie.title)) continue;
      if (query.genre !== undefined && !movie.genres.includes(query.genre)) continue;
      found.push(copyMovie(movie));
      if (found.length > query.limit) break;
    }
    return { movies: found.slice(0, query.limit), hasMore: found.length > query.limit };
  }

  async get(id: string): Promise<Movie | null> {
    const movie = this.movies.get(id);
    return movie ? copyMovie(movie) : null;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, Movie>> {
    const found = new Map<string, Movie>();
    for (const id of ids) {
      const movie = this.movies.get(id);
      if (movie) found.set(id, copyMovie(movie));
    }
    return found;
  }

  async genres(): Promise<string[]> {
    return [...new Set(this.sorted.flatMap((movie) => movie.genres))].sort();
  }
}

/** Order of the change log: (updatedAt, key); keys are only built for equal instants. */
function compareLog(a: StoredRating, b: StoredRating | ChangePosition): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt - b.updatedAt;
  const keyA = ratingKey(a.userId, a.movieId);
  const keyB = 'key' in b ? b.key : ratingKey(b.userId, b.movieId);
  return keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
}

const newestFirst = (a: StoredRating, b: StoredRating) =>
  b.updatedAt - a.updatedAt || compareLog(a, b);

/**
 * Ratings indexed like the MongoDB collection: by user (then movie), and a change log ordered by
 * (updatedAt, key) holding the records themselves, in which superseded records are skipped (and
 * compacted away now and then), so neither a user's list nor a feed page scans every rating.
 * Kept small on purpose (~70 bytes a rating): one record per pair, user and movie id strings
 * shared between records, keys computed only when two instants are equal.
 */
class MemoryRatings implements RatingRepository {
  private readonly byUser = new Map<string, Map<string, StoredRating>>();
  /** One copy of each user and movie id, shared by every record that names it. */
  private readonly ids = new Map<string, string>();
  private log: StoredRating[] = [];
  private pairs = 0;
  /** Per user, the newest `updatedAt` written (tombstones included); only ever raised. */
  private readonly newestByUser = new Map<string, number>();

  private intern(id: string): string {
    const known = this.ids.get(id);
    if (known !== undefined) return known;
    this.ids.set(id, id);
    return id;
  }

  private current(userId: string, movieId: string): StoredRating | undefined {
    return this.byUser.get(userId)?.get(movieId);
  }

  private store(userId: string, movieId: string, rating: number | null): StoredRating {
    const user = this.intern(userId);
    const stored: StoredRating = {
      userId: user,
      movieId: this.intern(movieId),
      rating,
      updatedAt: Date.now(),
    };
    let mine = this.byUser.get(user);
    if (!mine) {
      mine = new Map();
      this.byUser.set(user, mine);
    }
    this.newestByUser.set(user, Math.max(this.newestByUser.get(user) ?? 0, stored.updatedAt));
    if (!mine.has(stored.movieId)) this.pairs += 1;
    mine.set(stored.movieId, stored);
    let index = this.log.length;
    while (index > 0 && compareLog(stored, this.log[index - 1]!) < 0) index -= 1;
    if (index === this.log.length) this.log.push(stored);
    else this.log.splice(index, 0, stored);
    if (this.log.length > 2 * this.pairs + 1000) {
      this.log = [...this.byUser.values()].flatMap((m) => [...m.values()]).sort(compareLog);
    }
    return stored;
  }

  async upsert(
    userId: string,
    movieId: string,
    rating: number,
  ): Promise<{ rating: Rating; created: boolean }> {
    const before = this.current(userId, movieId);
    const stored = this.store(userId, movieId, rating);
    return { rating: toRating(stored), created: before === undefined || before.rating === null };
  }

  async listByUser(userId: string): Promise<Rating[]> {
    return [...(this.byUser.get(userId)?.values() ?? [])]
      .filter((stored) => stored.rating !== null)
      .sort(newestFirst)
      .map(toRating);
  }

  async remove(userId: string, movieId: string): Promise<boolean> {
    const stored = this.current(userId, movieId);
    if (!stored || stored.rating === null) return false;
    this.store(userId, movieId, null);
    return true;
  }

  async newestChangeOf(userId: string): Promise<number | null> {
    return this.newestByUser.get(userId) ?? null;
  }

  async changes(query: ChangeQuery): Promise<ChangePage> {
    const { after, sinceMs } = query;
    // First log position strictly after `after`, or at/after `sinceMs`.
    const isBefore = (entry: StoredRating) =>
      after ? compareLog(entry, after) <= 0 : sinceMs !== undefined && entry.updatedAt < sinceMs;
    let low = 0;
    let high = this.log.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (isBefore(this.log[middle]!)) low = middle + 1;
      else high = middle;
    }
    const page: StoredRating[] = [];
    let hasMore = false;
    for (let index = low; index < this.log.length; index += 1) {
      const entry = this.log[index]!;
      if (this.current(entry.userId, entry.movieId) !== entry) continue; // superseded
      if (page.length === query.limit) {
        hasMore = true;
        break;
      }
      page.push(entry);
    }
    const tail = page[page.length - 1];
    return {
      changes: page.map(toChange),
      last: tail ? { updatedAt: tail.updatedAt, key: ratingKey(tail.userId, tail.movieId) } : null,
      hasMore,
    };
  }
}

function toRating(stored: StoredRating): Rating {
  return {
    userId: stored.userId,
    movieId: stored.movieId,
    rating: stored.rating ?? 0,
    updatedAt: new Date(stored.updatedAt),
  };
}

function toChange(stored: StoredRating): RatingChange {
  return {
    userId: stored.userId,
    movieId: stored.movieId,
    rating: stored.rating,
    deleted: stored.rating === null,
    updatedAt: new Date(stored.updatedAt),
  };
}

/** Storage kept in the process: for local development and tests; lost on restart. */
export function createMemoryStorage(): Storage {
  return {
    kind: 'memory',
    movies: new MemoryMovies(),
    ratings: new MemoryRatings(),
    async ping() {},
    async close() {},
  };
}
