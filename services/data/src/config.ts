import { intVar, mongoConnectionShape, urlVar, type ConfigOf } from '@movies/kit';
import { z } from 'zod';

/** The data service's own variables (the common ones come from the kit's baseConfigShape). */
export const dataConfigShape = {
  PORT: intVar(1, 65535, 8083),
  /** Unset: in-memory storage (development only; logged loudly). */
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, { error: 'must be a mongodb:// URI' })
    .optional(),
  MONGODB_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, { error: 'must be a database name' })
    .default('movies'),
  ...mongoConnectionShape,
  AUTH_URL: urlVar(),
  JWT_ISSUER: z.string().min(1).default('movies-auth'),
  JWT_AUDIENCE: z.string().min(1).default('movies'),
  /** A JSON catalog (same format as catalog/movies.json) replacing the shipped one; benchmarks use it. */
  CATALOG_FILE: z.string().min(1).optional(),
};

export type DataConfig = ConfigOf<typeof dataConfigShape>;
