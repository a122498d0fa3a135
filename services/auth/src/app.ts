import { randomUUID } from 'node:crypto';
import {
  HttpError,
  createKeySetVerifier,
  createService,
  parse,
  requireUser,
  userOf,
  type ConfigOf,
  type Logger,
  type Service,
} from '@movies/kit';
import type { ErrorRequestHandler, Request } from 'express';
import { z } from 'zod';
import type { authConfigShape } from './config';
import type { SigningKeys } from './keys';
import { LoginThrottle } from './login-throttle';
import { hashPassword, needsRehash, verifyPassword } from './passwords';
import { createTokenIssuer } from './tokens';
import { StoreUnavailableError, UsernameTakenError, type UserRepository } from './users/repository';

export type AuthConfig = ConfigOf<typeof authConfigShape>;

export interface AuthDeps {
  config: AuthConfig;
  users: UserRepository;
  keys: SigningKeys;
  logger?: Logger;
  throttle?: LoginThrottle;
  /** Replaces process.exit at the end of a shutdown (tests). */
  exit?: (code: number) => void;
}

const registerBody = z.object({
  username: z
    .string()
    .regex(/^[a-z0-9_.-]{3,32}$/, { error: 'must be 3-32 characters of a-z, 0-9, _ . -' }),
  password: z
    .string()
    .min(8, { error: 'must be 8-128 characters' })
    .max(128, { error: 'must be 8-128 characters' }),
});

// Login accepts any plausible strings: a username that could never exist is just unknown (401).
const loginBody = z.object({
  username: z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(64, { error: 'must be at most 64 characters' }),
  password: z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(1024, { error: 'must be at most 1024 characters' }),
});

const invalidCredentials = () =>
  new HttpError(401, 'invalid_credentials', 'invalid username or password');

/** Maps repository errors to HTTP ones before the kit's error handler. */
const repositoryErrors: ErrorRequestHandler = (error, _req, _res, next) => {
  if (error instanceof UsernameTakenError)
    next(new HttpError(409, 'username_taken', 'this username is taken'));
  else if (error instanceof StoreUnavailableError)
    next(new HttpError(503, 'store_unavailable', 'the user store is unavailable, try again'));
  else next(error);
};

function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** The auth service: register, login (RS256 JWT), me, JWKS — on the kit's skeleton. */
export function createAuthApp(deps: AuthDeps): Service {
  const { config, users, keys } = deps;
  const service = createService({
    name: 'auth',
    config,
    logger: deps.logger,
    readinessChecks: { users: () => users.ping() },
    trustProxy: config.TRUST_PROXY,
    exit: deps.exit,
  });
  const { app, logger } = service;
  service.onShutdown(() => users.close());

  const throttle =
    deps.throttle ??
    new LoginThrottle({
      maxFailures: config.LOGIN_MAX_FAILURES,
      lockoutMs: config.LOGIN_LOCKOUT_SECONDS * 1000,
    });
  const issuer = createTokenIssuer({
    key: keys.active,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.JWT_TTL_SECONDS,
  });
  const verifier = createKeySetVerifier({
    keys: keys.verificationKeys,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  // Unknown users cost one hash too, so response time does not reveal which usernames exist.
  let dummyHash: Promise<string> | undefined;
  const dummy = () => (dummyHash ??= hashPassword(randomUUID(), config.PASSWORD_SCRYPT_N));

  app.post('/register', async (req, res) => {
    const body = parse(registerBody, req.body, 'body');
    const passwordHash = await hashPassword(body.password, config.PASSWORD_SCRYPT_N);
    const user = await users.create({ username: body.username, passwordHash });
    logger.info({ userId: user.id, username: user.username }, 'user registered');
    res.status(201).json({ id: user.id, username: user.username });
  });

  app.post('/login', async (req, res) => {
    const body = parse(loginBody, req.body, 'body');
    const ip = clientIp(req);
    const retryAfter = throttle.retryAfterSeconds(body.username, ip);
    if (retryAfter > 0) {
      res.setHeader('Retry-After', String(retryAfter));
      throw new HttpError(
        429,
        'too_many_attempts',
        `too many failed logins, retry in ${retryAfter} s`,
      );
    }
    const user = await users.findByUsername(body.username);
    const valid = user
      ? await verifyPassword(body.password, user.passwordHash)
      : (await verifyPassword(body.password, await dummy()), false);
    if (!user || !valid) {
      throttle.recordFailure(body.username, ip);
      logger.info({ username: body.username, ip }, 'login failed');
      throw invalidCredentials();
    }
    throttle.recordSuccess(body.username, ip);
    if (needsRehash(user.passwordHash, config.PASSWORD_SCRYPT_N)) {
      await users.updatePasswordHash(
        user.id,
        await hashPassword(body.password, config.PASSWORD_SCRYPT_N),
      );
      logger.info({ userId: user.id }, 'password rehashed with the current cost');
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json(issuer.issue(user.id));
  });

  app.get('/me', requireUser(verifier, logger), async (_req, res) => {
    const user = await users.findById(userOf(res).id);
    if (!user) throw new HttpError(401, 'unauthorized', 'a valid bearer token is required');
    res.json({ id: user.id, username: user.username, createdAt: user.createdAt.toISOString() });
  });

  app.get('/.well-known/jwks.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(keys.jwks);
  });

  app.use(repositoryErrors);
  service.finish();
  return service;
}
