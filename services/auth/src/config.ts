import { intVar, mongoConnectionShape } from '@movies/kit';
import { z } from 'zod';

const optionalPath = () => z.string().min(1).optional();

/** auth's variables on top of the kit's base ones (PORT defaults to 8081 here). */
export const authConfigShape = {
  PORT: intVar(1, 65535, 8081),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/\S+$/, { error: 'must be a mongodb:// or mongodb+srv:// URI' })
    .optional(),
  /**
   * With NODE_ENV=production and no MONGODB_URI, auth refuses to start (its in-memory store loses
   * every user on restart); `true` accepts that loss explicitly: benchmarks, throwaway demos.
   */
  ALLOW_IN_MEMORY_USERS: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((value) => value === 'true'),
  MONGODB_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, { error: 'must be 1-63 letters, digits, _ or -' })
    .default('movies'),
  ...mongoConnectionShape,
  /** The mounted key ring (current.pem, next.pem, previous.pem); rotates without a restart. */
  JWT_KEYS_DIR: optionalPath(),
  /** How often JWT_KEYS_DIR is checked for a rotation. */
  JWT_KEYS_CHECK_MS: intVar(1000, 600_000, 10_000),
  JWT_PRIVATE_KEY_FILE: optionalPath(),
  JWT_PRIVATE_KEY: z.string().optional(),
  JWT_KEY_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,128}$/, { error: 'must be 1-128 letters, digits, ., _ or -' })
    .optional(),
  JWT_PUBLIC_KEYS_FILE: optionalPath(),
  JWT_ISSUER: z.string().min(1).default('movies-auth'),
  JWT_AUDIENCE: z.string().min(1).default('movies'),
  JWT_TTL_SECONDS: intVar(60, 86_400, 900),
  PASSWORD_SCRYPT_N: intVar(1024, 1_048_576, 16_384).refine((n) => (n & (n - 1)) === 0, {
    error: 'must be a power of two 1024-1048576',
  }),
  LOGIN_MAX_FAILURES: intVar(1, 1000, 5),
  LOGIN_LOCKOUT_SECONDS: intVar(1, 86_400, 900),
  TRUST_PROXY: intVar(0, 10, 0),
};
