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

class MemoryRatings implements RatingRepository {
  private readonly ratings = new Map<string, StoredRating>();

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
    this.ratings.set(key, stored);
    return { rating: toRating(stored), created: before === undefined || before.deleted };
  }

  async listByUser(userId: string): Promise<Rating[]> {
    return [...this.ratings.values()]
      .filter((stored) => stored.userId === userId && !stored.deleted)
      .sort((a, b) => b.updatedAt - a.updatedAt || (a.key < b.key ? -1 : 1))
      .map(toRating);
  }

  async remove(userId: string, movieId: string): Promise<boolean> {
    const key = ratingKey(userId, movieId);
    const stored = this.ratings.get(key);
    if (!stored || stored.deleted) return false;
    this.ratings.set(key, { ...stored, rating: null, deleted: true, updatedAt: Date.now() });
    return true;
  }

  async changes(query: ChangeQuery): Promise<ChangePage> {
    const { after, sinceMs } = query;
    const matching = [...this.ratings.values()]
      .filter((stored) => {
        if (after) {
          return (
            stored.updatedAt > after.updatedAt ||
            (stored.updatedAt === after.updatedAt && stored.key > after.key)
          );
        }
        return sinceMs === undefined || stored.updatedAt >= sinceMs;
      })
      .sort((a, b) => a.updatedAt - b.updatedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const page = matching.slice(0, query.limit);
    const tail = page[page.length - 1];
    return {
      changes: page.map(toChange),
      last: tail ? { updatedAt: tail.updatedAt, key: tail.key } : null,
      hasMore: matching.length > query.limit,
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
