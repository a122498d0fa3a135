/** A catalog entry. `id` is a stable slug such as `the-matrix-1999`. */
export interface Movie {
  id: string;
  title: string;
  year: number;
  genres: string[];
}

export interface MovieQuery {
  /** Case-insensitive substring of the title, matched literally (no pattern syntax). */
  q?: string;
  genre?: string;
  limit: number;
  /** Return movies whose id sorts after this one (the position of the previous page). */
  afterId?: string;
}

export interface MovieRepository {
  /** Inserts missing catalog entries and refreshes existing ones by id; safe to run concurrently. */
  seed(movies: readonly Movie[]): Promise<void>;
  /** Movies in id order; `hasMore` says whether another page follows. */
  list(query: MovieQuery): Promise<{ movies: Movie[]; hasMore: boolean }>;
  get(id: string): Promise<Movie | null>;
  getMany(ids: readonly string[]): Promise<Map<string, Movie>>;
  genres(): Promise<string[]>;
}

export interface Rating {
  userId: string;
  movieId: string;
  /** An integer from 1 to 5. */
  rating: number;
  updatedAt: Date;
}

/** One entry of the change feed: the current state of a (user, movie) pair, deletions included. */
export interface RatingChange {
  userId: string;
  movieId: string;
  rating: number | null;
  deleted: boolean;
  updatedAt: Date;
}

/** Where the change feed stopped: order is (updatedAt, key), key unique per (user, movie). */
export interface ChangePosition {
  updatedAt: number;
  key: string;
  /** Id of a query the store holds open to continue from here (an optimisation; may be gone). */
  read?: string;
}

export interface ChangeQuery {
  /** Only changes at or after this instant (ms since the epoch); everything when absent. */
  sinceMs?: number;
  /** Continue after this position (takes precedence over `sinceMs` for the lower bound). */
  after?: ChangePosition;
  limit: number;
}

export interface ChangePage {
  changes: RatingChange[];
  /** Position of the last change returned, to continue from. */
  last: ChangePosition | null;
  hasMore: boolean;
}

export interface RatingRepository {
  /** Creates or replaces the user's rating of a movie; `created` is false when it replaced one. */
  upsert(
    userId: string,
    movieId: string,
    rating: number,
  ): Promise<{ rating: Rating; created: boolean }>;
  /** The user's ratings, newest first. */
  listByUser(userId: string): Promise<Rating[]>;
  /** Removes the rating (a tombstone stays in the change feed); false when there was none. */
  remove(userId: string, movieId: string): Promise<boolean>;
  changes(query: ChangeQuery): Promise<ChangePage>;
  /**
   * The newest `updatedAt` (ms since the epoch) of any write of this user's ratings, tombstones
   * included; raised before the rating itself is written and never lowered, so a feed consumer
   * holding a change of this user at least this new holds the user's latest write. Null when no
   * write through this repository recorded one (an unknown user, or ratings that predate the
   * marker or were inserted directly): nothing newer than what the feed already carries is owed.
   */
  newestChangeOf(userId: string): Promise<number | null>;
}

export interface Storage {
  readonly kind: 'mongodb' | 'memory';
  readonly movies: MovieRepository;
  readonly ratings: RatingRepository;
  /** Throws when the database cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The change-feed key of a (user, movie) pair; movie ids are slugs without ':' so it is unambiguous. */
export function ratingKey(userId: string, movieId: string): string {
  return `${movieId}:${userId}`;
}

/** Escapes a string so it matches itself literally inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
