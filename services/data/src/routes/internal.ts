import { HttpError, parse, queryInt, queryString } from '@movies/kit';
import { Router } from 'express';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../cursor';
import type { RatingRepository } from '../storage/types';

const changesQuery = z.strictObject({
  since: queryString(40).optional(),
  cursor: queryString(1000).optional(),
  limit: queryInt(1, 5000).default(500),
});

const changeCursor = z.strictObject({
  t: z.number().int().nonnegative(),
  k: z.string().min(1),
  r: z.string().max(64).optional(),
});

/** `since` is milliseconds since the epoch or an ISO 8601 timestamp. */
function parseSince(since: string): number {
  const ms = /^\d{1,15}$/.test(since)
    ? Number(since)
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(since)
      ? Date.parse(since)
      : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0) {
    throw new HttpError(
      400,
      'invalid_request',
      'since: must be milliseconds since the epoch or an ISO 8601 time',
    );
  }
  return ms;
}

/**
 * The read path for the recommendation service. No end-user token: it is reachable only inside
 * the cluster (the chart's network policy admits data's port from web and recommendation only,
 * and web never forwards /internal). See README.md.
 */
export function internalRouter(ratings: RatingRepository): Router {
  const router = Router();

  // The change feed: current state of every (user, movie) pair changed at or after `since`,
  // deletions as tombstones, ordered by (updatedAt, key) and paged by an opaque cursor.
  router.get('/internal/ratings', async (req, res) => {
    const query = parse(changesQuery, req.query, 'query');
    const after = query.cursor === undefined ? undefined : decodeCursor(changeCursor, query.cursor);
    const page = await ratings.changes({
      sinceMs: query.since === undefined ? undefined : parseSince(query.since),
      after: after && { updatedAt: after.t, key: after.k, read: after.r },
      limit: query.limit,
    });
    res.json({
      changes: page.changes.map((change) => ({
        userId: change.userId,
        movieId: change.movieId,
        rating: change.rating,
        deleted: change.deleted,
        updatedAt: change.updatedAt.toISOString(),
      })),
      nextCursor: page.last
        ? encodeCursor({ t: page.last.updatedAt, k: page.last.key, r: page.last.read })
        : null,
      hasMore: page.hasMore,
    });
  });

  // When this user last changed a rating (ms since the epoch; null when no write recorded one):
  // a consumer of the feed holding a change of the user at least this new has their latest write.
  router.get('/internal/users/:userId/newest', async (req, res) => {
    const userId = userIdParam(req.params.userId);
    res.json({ userId, newest: await ratings.newestChangeOf(userId) });
  });

  return router;
}

function userIdParam(userId: string): string {
  if (userId.length > 200)
    throw new HttpError(400, 'invalid_request', 'userId: at most 200 characters');
  return userId;
}
