import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import jwt from 'jsonwebtoken';
import { HttpError, UpstreamError } from './errors';
import { createHttpClient } from './http-client';
import type { Logger } from './logger';

export type SigningAlgorithm = 'RS256' | 'ES256';

/** A verification key with the one algorithm it may be used with. */
export interface VerificationKey {
  kid: string;
  alg: SigningAlgorithm;
  key: KeyObject;
}

export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: SigningAlgorithm;
  use: 'sig';
}

export interface VerifiedToken {
  sub: string;
  iss: string;
  aud: string | string[];
  exp: number;
  iat?: number;
  [claim: string]: unknown;
}

export interface TokenVerifier {
  verify(token: string): Promise<VerifiedToken>;
}

/** Why a token was refused (logged at debug; the client only ever sees 401 `unauthorized`). */
export class TokenError extends Error {
  constructor(readonly reason: string) {
    super(`invalid token: ${reason}`);
    this.name = 'TokenError';
  }
}

const MIN_RSA_BITS = 2048;

/** The one algorithm a key may sign with: RS256 for RSA ≥ 2048 bits, ES256 for P-256. */
export function algorithmFor(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS)
      throw new Error(`RSA key of ${bits} bits is too small (need ${MIN_RSA_BITS})`);
    return 'RS256';
  }
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    return 'ES256';
  throw new Error(
    `unsupported key type ${key.asymmetricKeyType ?? key.type}: use RSA (RS256) or EC P-256 (ES256)`,
  );
}

/** RFC 7638 thumbprint of a public key: a stable key id when none is configured. */
export function keyIdFor(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const members =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** The JWKS entry for a public key (private parts are never exported, even from a private key). */
export function publicJwk(kid: string, key: KeyObject): PublicJwk {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = publicKey.export({ format: 'jwk' });
  return { ...jwk, kid, alg: algorithmFor(publicKey), use: 'sig' };
}

/** Parses JWKS entries, skipping keys that are not usable signature keys (logged by the caller). */
export function keysFromJwks(document: unknown): { keys: VerificationKey[]; skipped: string[] } {
  const entries = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(entries)) throw new Error('JWKS document has no "keys" array');
  const keys: VerificationKey[] = [];
  const skipped: string[] = [];
  for (const entry of entries as Array<Record<string, unknown>>) {
    const kid = entry?.kid;
    try {
      if (typeof kid !== 'string' || kid === '') throw new Error('no kid');
      if (entry.use !== undefined && entry.use !== 'sig')
        throw new Error(`use ${String(entry.use)}`);
      if (entry.d !== undefined) throw new Error('contains private key material');
      const key = createPublicKey({ key: entry as JsonWebKey, format: 'jwk' });
      const alg = algorithmFor(key);
      if (entry.alg !== undefined && entry.alg !== alg)
        throw new Error(`alg ${String(entry.alg)} does not fit the key`);
      keys.push({ kid, alg, key });
    } catch (error) {
      skipped.push(`${typeof kid === 'string' ? kid : '?'}: ${(error as Error).message}`);
    }
  }
  return { keys, skipped };
}

export interface ClaimsOptions {
  issuer: string;
  audience: string;
  /** Allowed clock difference (default 5 s). */
  clockToleranceSeconds?: number;
}

async function verifyWith(
  token: string,
  findKey: (kid: string) => Promise<VerificationKey | undefined>,
  options: ClaimsOptions,
): Promise<VerifiedToken> {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === 'string') throw new TokenError('malformed');
  const { alg, kid } = decoded.header;
  if (alg !== 'RS256' && alg !== 'ES256')
    throw new TokenError(`algorithm ${String(alg)} not allowed`);
  if (typeof kid !== 'string' || kid === '') throw new TokenError('no kid');
  const key = await findKey(kid);
  if (!key) throw new TokenError('unknown kid');
  if (key.alg !== alg) throw new TokenError(`algorithm ${alg} does not match key ${kid}`);
  let claims: jwt.JwtPayload;
  try {
    claims = jwt.verify(token, key.key, {
      algorithms: [key.alg],
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: options.clockToleranceSeconds ?? 5,
    }) as jwt.JwtPayload;
  } catch (error) {
    throw new TokenError((error as Error).message);
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new TokenError('no subject');
  if (typeof claims.exp !== 'number') throw new TokenError('no expiry');
  return claims as VerifiedToken;
}

/** Verifies against a fixed key set (auth verifying its own tokens, no HTTP). */
export function createKeySetVerifier(
  options: ClaimsOptions & { keys: VerificationKey[] },
): TokenVerifier {
  // Looked up at each call: the owner may swap the keys in place (auth's key rotation).
  return {
    verify: (token) =>
      verifyWith(token, async (kid) => options.keys.find((key) => key.kid === kid), options),
  };
}

export interface JwksVerifierOptions extends ClaimsOptions {
  jwksUrl: string;
  timeoutMs?: number;
  /** An unknown kid refetches the JWKS at most this often (default 30 s). */
  minRefetchIntervalMs?: number;
  /** Known keys are refreshed after this long, so removed keys stop working (default 10 min). */
  cacheMaxAgeMs?: number;
  logger?: Logger;
  /** Clock for tests. */
  now?: () => number;
}

export interface JwksVerifier extends TokenVerifier {
  /** Fetches the key set now (e.g. at start; failures are thrown). */
  refresh(): Promise<void>;
  knownKeyIds(): string[];
}

/**
 * Verifies tokens with keys from a JWKS URL. Keys are cached by kid; an unknown kid triggers a
 * refetch at most once per minRefetchIntervalMs, so garbage kids cannot hammer the issuer. If the
 * key set cannot be fetched and the kid is unknown, an UpstreamError (503) is thrown, not a 401.
 */
export function createJwksVerifier(options: JwksVerifierOptions): JwksVerifier {
  const url = new URL(options.jwksUrl);
  const client = createHttpClient({
    name: 'jwks',
    baseUrl: url.origin,
    timeoutMs: options.timeoutMs ?? 2000,
  });
  const minRefetchIntervalMs = options.minRefetchIntervalMs ?? 30_000;
  const cacheMaxAgeMs = options.cacheMaxAgeMs ?? 600_000;
  const now = options.now ?? Date.now;
  let keys = new Map<string, VerificationKey>();
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let lastSuccess = Number.NEGATIVE_INFINITY;
  let lastError: UpstreamError | undefined;
  let inFlight: Promise<void> | undefined;

  const fetchKeys = async () => {
    lastAttempt = now();
    try {
      const response = await client.request({ path: `${url.pathname}${url.search}` });
      if (response.status !== 200)
        throw new UpstreamError(
          'auth',
          'bad_response',
          `JWKS answered ${response.status}`,
          response.status,
        );
      let parsed: ReturnType<typeof keysFromJwks>;
      try {
        parsed = keysFromJwks(response.body);
      } catch (error) {
        throw new UpstreamError('auth', 'bad_response', `JWKS: ${(error as Error).message}`);
      }
      if (parsed.skipped.length > 0)
        options.logger?.warn({ skipped: parsed.skipped }, 'JWKS: skipped unusable keys');
      keys = new Map(parsed.keys.map((key) => [key.kid, key]));
      lastSuccess = now();
      lastError = undefined;
      options.logger?.info({ kids: [...keys.keys()] }, 'JWKS: keys loaded');
    } catch (error) {
      lastError =
        error instanceof UpstreamError
          ? new UpstreamError('auth', error.kind, error.message, error.status)
          : new UpstreamError('auth', 'bad_response', String(error));
      options.logger?.warn({ err: lastError.message }, 'JWKS: fetch failed');
      throw lastError;
    }
  };

  const refresh = () => {
    inFlight ??= fetchKeys().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const findKey = async (kid: string) => {
    const known = keys.get(kid);
    const mayRefetch = now() - lastAttempt >= minRefetchIntervalMs;
    if (known) {
      if (now() - lastSuccess > cacheMaxAgeMs && mayRefetch) {
        await refresh().catch(() => undefined);
        return keys.get(kid) ?? (lastError ? known : undefined);
      }
      return known;
    }
    if (mayRefetch) {
      await refresh();
    } else if (inFlight) {
      await inFlight;
    } else if (lastError && keys.size === 0) {
      throw lastError;
    }
    return keys.get(kid);
  };

  return {
    verify: (token) => verifyWith(token, findKey, options),
    refresh,
    knownKeyIds: () => [...keys.keys()],
  };
}

export interface AuthenticatedUser {
  id: string;
}

const BEARER = /^Bearer[ ]+([A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]*\.[A-Za-z0-9_=-]*)[ ]*$/i;

function unauthorized(): HttpError {
  return new HttpError(401, 'unauthorized', 'a valid bearer token is required');
}

/**
 * Requires `Authorization: Bearer <jwt>`; sets `res.locals.user = { id: sub }`. Every token
 * problem gives the same 401 body; a key set that cannot be fetched gives 503.
 */
export function requireUser(verifier: TokenVerifier, logger?: Logger): RequestHandler {
  return async (req, res, next) => {
    const match = BEARER.exec(req.get('authorization') ?? '');
    if (!match?.[1]) {
      next(unauthorized());
      return;
    }
    try {
      const claims = await verifier.verify(match[1]);
      res.locals.user = { id: claims.sub } satisfies AuthenticatedUser;
      next();
    } catch (error) {
      if (error instanceof UpstreamError) {
        next(error);
        return;
      }
      logger?.debug({ reason: (error as Error).message }, 'token refused');
      next(unauthorized());
    }
  };
}

/** The user set by requireUser. */
export function userOf(res: Response): AuthenticatedUser {
  const user = res.locals.user as AuthenticatedUser | undefined;
  if (!user) throw new Error('userOf() used on a route without requireUser()');
  return user;
}
