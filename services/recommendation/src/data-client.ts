import { UpstreamError, createHttpClient, type Logger } from '@movies/kit';
import { z } from 'zod';
import type { CatalogMovie, RatingChange } from './engine/model';

const feedPage = z.object({
  changes: z.array(
    z.object({
      userId: z.string(),
      movieId: z.string(),
      rating: z.number().int().min(1).max(5).nullable(),
      deleted: z.boolean(),
      updatedAt: z.string(),
    }),
  ),
  nextCursor: z.string().nullable(),
  hasMore: z.boolean(),
});

const moviePage = z.object({
  movies: z.array(z.object({ id: z.string(), title: z.string(), genres: z.array(z.string()) })),
  nextCursor: z.string().nullable(),
});

const userRatings = z.object({
  ratings: z.array(z.object({ movieId: z.string(), rating: z.number().int().min(1).max(5) })),
});

export interface FeedChange extends RatingChange {
  updatedAtMs: number;
}

export interface DataClient {
  /** One page of the change feed (`since` in ms, or continue after `cursor`). */
  changes(options: { since?: number; cursor?: string; limit: number }): Promise<{
    changes: FeedChange[];
    nextCursor: string | null;
    hasMore: boolean;
  }>;
  /** The whole catalog (paged through /movies). */
  catalog(): Promise<CatalogMovie[]>;
  /** A user's current ratings, straight from data. */
  userRatings(
    userId: string,
    options?: { requestId?: string; timeoutMs?: number },
  ): Promise<Map<string, number>>;
}

/** Calls to the data service: its public catalog and its internal read path. */
export function createDataClient(options: {
  baseUrl: string;
  timeoutMs: number;
  logger?: Logger;
}): DataClient {
  const http = createHttpClient({
    name: 'data',
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    logger: options.logger,
  });

  const getJson = async <T extends z.ZodType>(
    schema: T,
    path: string,
    call: { requestId?: string; timeoutMs?: number } = {},
  ): Promise<z.output<T>> => {
    const response = await http.request({
      path,
      requestId: call.requestId,
      timeoutMs: call.timeoutMs,
    });
    if (response.status !== 200) {
      throw new UpstreamError(
        'data',
        'bad_response',
        `data answered ${response.status} for ${path.split('?')[0]}`,
        response.status,
      );
    }
    const parsed = schema.safeParse(response.body);
    if (!parsed.success)
      throw new UpstreamError(
        'data',
        'bad_response',
        `data: unexpected response shape from ${path.split('?')[0]}`,
      );
    return parsed.data;
  };

  return {
    async changes({ since, cursor, limit }) {
      const query = new URLSearchParams({ limit: String(limit) });
      if (cursor) query.set('cursor', cursor);
      else if (since !== undefined) query.set('since', String(Math.max(0, Math.floor(since))));
      const page = await getJson(feedPage, `/internal/ratings?${query}`);
      return {
        changes: page.changes.map((change) => ({
          userId: change.userId,
          movieId: change.movieId,
          rating: change.deleted ? null : change.rating,
          updatedAtMs: Date.parse(change.updatedAt),
        })),
        nextCursor: page.nextCursor,
        hasMore: page.hasMore,
      };
    },

    async catalog() {
      const movies: CatalogMovie[] = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({ limit: '100' });
        if (cursor) query.set('cursor', cursor);
        const page: z.output<typeof moviePage> = await getJson(moviePage, `/movies?${query}`);
        movies.push(
          ...page.movies.map((movie) => ({
            id: movie.id,
            title: movie.title,
            genres: movie.genres,
          })),
        );
        cursor = page.nextCursor;
      } while (cursor);
      return movies;
    },

    async userRatings(userId, call = {}) {
      const body = await getJson(
        userRatings,
        `/internal/users/${encodeURIComponent(userId)}/ratings`,
        call,
      );
      return new Map(body.ratings.map((rating) => [rating.movieId, rating.rating]));
    },
  };
}
