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
import type { ModelSync } from './model-sync';

const query = z.strictObject({ limit: queryInt(1, 50).default(10) });

/**
 * GET /recommendations?limit=10 (Bearer). Answered from the model, which holds every rating from
 * data's change feed. So that a movie rated a moment ago is never recommended back, each request
 * first asks data when this user last changed a rating (one lookup by id); only when the model
 * has not ingested that change yet does the request wait for a refresh of the feed, shared with
 * every other request waiting at that moment. The whole check is bounded by FRESHNESS_TIMEOUT_MS:
 * past it, or when data cannot answer, the model is used as it is (and a warning logged).
 */
export function recommendationsRouter(deps: {
  model: RecommendationModel;
  sync: ModelSync;
  data: DataClient;
  verifier: TokenVerifier;
  logger: Logger;
  freshnessTimeoutMs: number;
}): Router {
  const router = Router();
  router.get('/recommendations', requireUser(deps.verifier, deps.logger), async (req, res) => {
    const { limit } = parse(query, req.query, 'query');
    const userId = userOf(res).id;
    const requestId = requestIdOf(req);
    const deadline = performance.now() + deps.freshnessTimeoutMs;
    try {
      const newest = await deps.data.userNewest(userId, {
        requestId,
        timeoutMs: deps.freshnessTimeoutMs,
      });
      if (newest !== null && !(await deps.sync.catchUp(userId, newest, deadline))) {
        deps.logger.warn(
          { requestId, newest, ingested: deps.sync.newestOf(userId) ?? null },
          "recommendations: the model has not caught up with the user's latest rating in time",
        );
      }
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      deps.logger.warn(
        { err: error.message, requestId },
        'recommendations: data unavailable, answering from the model as it is',
      );
    }
    res.json(
      deps.model
        .recommend(deps.model.ratingsOf(userId), limit)
        .map(({ movieId, title, score, reason }) => ({ movieId, title, score, reason })),
    );
  });
  return router;
}
