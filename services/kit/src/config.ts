import { z } from 'zod';

/** Thrown by loadConfig; the message names every missing or invalid variable, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** An integer environment variable within [min, max]. */
export function intVar(min: number, max: number, defaultValue?: number) {
  const schema = z.coerce
    .number({ error: `must be an integer ${min}-${max}` })
    .int({ error: `must be an integer ${min}-${max}` })
    .min(min, { error: `must be an integer ${min}-${max}` })
    .max(max, { error: `must be an integer ${min}-${max}` });
  return defaultValue === undefined ? schema : schema.default(defaultValue);
}

/** A required, non-empty string (e.g. `AUTH_URL`). */
export function requiredString() {
  return z.string({ error: 'required' }).min(1, { error: 'required' });
}

/** An absolute http(s) URL without a trailing slash. */
export function urlVar() {
  return z
    .string({ error: 'required' })
    .min(1, { error: 'required' })
    .refine((value) => /^https?:\/\/[^\s/]+(\/\S*)?$/.test(value), {
      error: 'must be an http(s) URL',
    })
    .transform((value) => value.replace(/\/+$/, ''));
}

/** Variables every service reads (the contract in the common brief). */
export const baseConfigShape = {
  PORT: intVar(1, 65535),
  /** Serve /readyz, /metrics and /version on this port instead of PORT (the chart sets it). */
  OPS_PORT: intVar(1, 65535).optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  SHUTDOWN_DRAIN_MS: intVar(0, 120_000, 2000),
  SHUTDOWN_GRACE_MS: intVar(100, 600_000, 10_000),
  SERVICE_VERSION: z.string().default('0.0.0-dev'),
  GIT_SHA: z.string().default('unknown'),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, { error: 'must be a size like 100kb or 1mb' })
    .default('100kb'),
  NODE_ENV: z
    .enum(['production', 'development', 'test'], {
      error: 'must be one of production, development, test',
    })
    .default('development'),
};

export type BaseConfigShape = typeof baseConfigShape;
export type ConfigOf<S extends z.ZodRawShape> = z.output<z.ZodObject<BaseConfigShape & S>>;
export type BaseConfig = ConfigOf<Record<never, never>>;

/**
 * Validates the environment against the base shape merged with a service's own shape. Empty
 * variables count as unset. Throws ConfigError naming every problem at once.
 */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): ConfigOf<S> {
  const schema = z.object({ ...baseConfigShape, ...shape });
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') input[key] = value.trim();
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data as ConfigOf<S>;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || 'config';
    const missing = issue.path.length === 1 && input[String(issue.path[0])] === undefined;
    return `${name}: ${missing ? 'required' : issue.message}`;
  });
  throw new ConfigError(problems);
}

/** For entry points: print a ConfigError to stderr and exit 1; rethrow anything else. */
export function exitOnConfigError(
  error: unknown,
  exit: (code: number) => never = process.exit,
): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    return exit(1);
  }
  throw error;
}

/** loadConfig, or print the problems and exit 1. */
export function loadConfigOrExit<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): ConfigOf<S> {
  try {
    return loadConfig(shape, env);
  } catch (error) {
    return exitOnConfigError(error);
  }
}
