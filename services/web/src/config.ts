import path from 'node:path';
import { z } from 'zod';
import { intVar, urlVar, type ConfigOf } from '@movies/kit';

/** web's own variables on top of the common ones (see the common brief's contract). */
export const webConfigShape = {
  PORT: intVar(1, 65535, 8080),
  AUTH_URL: urlVar(),
  DATA_URL: urlVar(),
  RECOMMENDATION_URL: urlVar(),
  /** Every call to an upstream (connect + answer + body) is abandoned after this long: 504. */
  UPSTREAM_TIMEOUT_MS: intVar(50, 120_000, 5000),
  /** Reverse-proxy hops whose X-Forwarded-* headers are believed (req.secure, client ip). */
  TRUST_PROXY: intVar(0, 10, 0),
  /** The built UI bundle (services/web/build/public). */
  PUBLIC_DIR: z.string().default(path.resolve(__dirname, '..', 'build', 'public')),
};

export type WebConfig = ConfigOf<typeof webConfigShape>;
