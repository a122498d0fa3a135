import { intVar, urlVar, type ConfigOf } from '@movies/kit';
import { z } from 'zod';

/** The recommendation service's own variables (the common ones come from the kit's baseConfigShape). */
export const recommendationConfigShape = {
  PORT: intVar(1, 65535, 8082),
  AUTH_URL: urlVar(),
  DATA_URL: urlVar(),
  JWT_ISSUER: z.string().min(1).default('movies-auth'),
  JWT_AUDIENCE: z.string().min(1).default('movies'),
  /** Pause between two reads of data's change feed. */
  MODEL_REFRESH_MS: intVar(100, 3_600_000, 5000),
  /** Timeout of each call to data for the feed and the catalog. */
  UPSTREAM_TIMEOUT_MS: intVar(50, 60_000, 2000),
  /**
   * How long a request may spend making sure the model holds the user's latest rating (asking
   * data, then waiting for a feed refresh if needed); after it the model is used as it is.
   */
  FRESHNESS_TIMEOUT_MS: intVar(20, 60_000, 500),
};

export type RecommendationConfig = ConfigOf<typeof recommendationConfigShape>;
