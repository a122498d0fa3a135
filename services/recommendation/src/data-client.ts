import { UpstreamError, createHttpClient, type Logger } from '@movies/kit';
import { z } from 'zod';
import type { CatalogMovie } from './engine/model';
import { FeedPageError, parseFeedPage, type FeedPage } from './feed-page';

const moviePage = z.object({
  movies: z.array(z.object({ id: z.string(), title: z.string(), genres: z.array(z.string()) })),
  nextCursor: z.string().nullable(),
});

const userNewest = z.object({ newest: z.number().int().nonnegative().nullable() });

export type { FeedChange } from './feed-page';

export interface DataClient {
  /** One page of the change feed (`since` in ms, or continue after `cursor`). */
  changes(options: { since?: number; cursor?: string; limit: number }): Promise<FeedPage>;
  /** The whole catalog (paged through /movies). */
  catalog(): Promise<CatalogMovie[]>;
  /**
   * When the user last changed a rating (data's per-user marker, ms since the epoch; null when
   * data has recorded no change of this user since it started keeping the marker).
   */
  userNewest(
    userId: string,
    options?: { requestId?: string; timeoutMs?: number },
  ): Promise<number | null>;
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

  const getBody = async (
    path: string,
    call: { requestId?: string; timeoutMs?: number } = {},
  ): Promise<unknown> => {
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
    return response.body;
  };

  const badShape = (path: string, detail?: string) =>
    new UpstreamError(
      'data',
      'bad_response',
      `data: unexpected response shape from ${path.split('?')[0]}${detail ? `: ${detail}` : ''}`,
    );

  const getJson = async <T extends z.ZodType>(
    schema: T,
    path: string,
    call: { requestId?: string; timeoutMs?: number } = {},
  ): Promise<z.output<T>> => {
    const parsed = schema.safeParse(await getBody(path, call));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw badShape(path, issue && `${issue.path.join('.')}: ${issue.message}`);
    }
    return parsed.data;
  };

  return {
    async changes({ since, cursor, limit }) {
      const query = new URLSearchParams({ limit: String(limit) });
      if (cursor) query.set('cursor', cursor);
      else if (since !== undefined) query.set('since', String(Math.max(0, Math.floor(since))));
      const path = `/internal/ratings?${query}`;
      const body = await getBody(path);
      try {
        return parseFeedPage(body);
      } catch (error) {
        if (error instanceof FeedPageError) throw badShape(path, error.message);
        throw error;
      }
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

    async userNewest(userId, call = {}) {
      const body = await getJson(
        userNewest,
        `/internal/users/${encodeURIComponent(userId)}/newest`,
        call,
      );
      return body.newest;
    },
  };
}
