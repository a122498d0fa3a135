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

interface StoredRating {
  key: string;
  userId: string;
  movieId: string;
  rating: number | null;
  deleted: boolean;
  updatedAt: number;
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

interface LogEntry {
  updatedAt: number;
  key: string;
}

const compareLog = (a: LogEntry, b: LogEntry) =>
  a.updatedAt - b.updatedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * Ratings indexed like the MongoDB collection: by key, by user, and a change log ordered by
 * (updatedAt, key) in which superseded entries are skipped (and compacted away now and then), so
 * neither a user's list nor a feed page scans every rating.
 */
class MemoryRatings implements RatingRepository {
  private readonly ratings = new Map<string, StoredRating>();
  private readonly byUser = new Map<string, Map<string, StoredRating>>();
  private log: LogEntry[] = [];

  private store(stored: StoredRating, previous: StoredRating | undefined): void {
    this.ratings.set(stored.key, stored);
    const mine = this.byUser.get(stored.userId) ?? new Map<string, StoredRating>();
    mine.set(stored.movieId, stored);
    this.byUser.set(stored.userId, mine);
    if (previous?.updatedAt === stored.updatedAt) return; // its log entry already points here
    const entry = { updatedAt: stored.updatedAt, key: stored.key };
    let index = this.log.length;
    while (index > 0 && compareLog(entry, this.log[index - 1]!) < 0) index -= 1;
    this.log.splice(index, 0, entry);
    if (this.log.length > 2 * this.ratings.size + 1000) {
      this.log = [...this.ratings.values()]
        .map((r) => ({ updatedAt: r.updatedAt, key: r.key }))
        .sort(compareLog);
    }
  }

  async upsert(
    userId: string,
    movieId: string,
    rating: number,
  ): Promise<{ rating: Rating; created: boolean }> {
    const key = ratingKey(userId, movieId);
    const before = this.ratings.get(key);
    const stored: StoredRating = {
      key,
      userId,
      movieId,
      rating,
      deleted: false,
      updatedAt: Date.now(),
    };
    this.store(stored, before);
    return { rating: toRating(stored), created: before === undefined || before.deleted };
  }

  async listByUser(userId: string): Promise<Rating[]> {
    return [...(this.byUser.get(userId)?.values() ?? [])]
      .filter((stored) => !stored.deleted)
      .sort((a, b) => b.updatedAt - a.updatedAt || (a.key < b.key ? -1 : 1))
      .map(toRating);
  }

  async remove(userId: string, movieId: string): Promise<boolean> {
    const key = ratingKey(userId, movieId);
    const stored = this.ratings.get(key);
    if (!stored || stored.deleted) return false;
    this.store({ ...stored, rating: null, deleted: true, updatedAt: Date.now() }, stored);
    return true;
  }

  async changes(query: ChangeQuery): Promise<ChangePage> {
    const { after, sinceMs } = query;
    // First log position strictly after `after`, or at/after `sinceMs`.
    const isBefore = (entry: LogEntry) =>
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
      const current = this.ratings.get(entry.key);
      if (!current || current.updatedAt !== entry.updatedAt) continue; // superseded
      if (page.length === query.limit) {
        hasMore = true;
        break;
      }
      page.push(current);
    }
    const tail = page[page.length - 1];
    return {
      changes: page.map(toChange),
      last: tail ? { updatedAt: tail.updatedAt, key: tail.key } : null,
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
    rating: stored.deleted ? null : stored.rating,
    deleted: stored.deleted,
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
