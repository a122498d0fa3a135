import {
  UpstreamError,
  parse,
  queryInt,
  requestIdOf,
  requireUser,
  userOf,
  type Logger,
  type TokenVerifier,
} from '@movies/kit';
import { Router } from 'express';
import { z } from 'zod';
import type { DataClient } from './data-client';
import type { RecommendationModel } from './engine/model';

const query = z.strictObject({ limit: queryInt(1, 50).default(10) });

/**
 * GET /recommendations?limit=10 (Bearer). The user's ratings are read fresh from data on every
 * request, so a movie rated a moment ago is never recommended back and counts at once; if data
 * cannot answer within USER_RATINGS_TIMEOUT_MS, the model's own copy (as fresh as the last
 * refresh) is used instead.
 */
export function recommendationsRouter(deps: {
  model: RecommendationModel;
  data: DataClient;
  verifier: TokenVerifier;
  logger: Logger;
  /** How long to wait for data before answering from the model's copy of the user's ratings. */
  userRatingsTimeoutMs: number;
}): Router {
  const router = Router();
  router.get('/recommendations', requireUser(deps.verifier, deps.logger), async (req, res) => {
    const { limit } = parse(query, req.query, 'query');
    const userId = userOf(res).id;
    let ratings: ReadonlyMap<string, number>;
    try {
      ratings = await deps.data.userRatings(userId, {
        requestId: requestIdOf(req),
        timeoutMs: deps.userRatingsTimeoutMs,
      });
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      deps.logger.warn(
        { err: error.message, requestId: requestIdOf(req) },
        'recommendations: data unavailable, using the model copy of the user ratings',
      );
      ratings = deps.model.ratingsOf(userId);
    }
    res.json(
      deps.model
        .recommend(ratings, limit)
        .map(({ movieId, title, score, reason }) => ({ movieId, title, score, reason })),
    );
  });
  return router;
}
