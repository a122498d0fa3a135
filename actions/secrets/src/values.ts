import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** The JWT key ring in movies/<env>/jwt: auth signs with current; next and previous are published. */
export interface JwtRing {
  current: string;
  next: string;
  previous?: string;
  /** When next last became current (ISO 8601); absent before the first rotation. */
  rotatedAt?: string;
}

export interface DatabaseUser {
  username: string;
  password: string;
}

/** movies/<env>/mongodb-users: each service its own database user. */
export interface DatabaseUsers {
  auth: DatabaseUser;
  data: DatabaseUser;
}

export class SecretValueError extends Error {
  override name = 'SecretValueError';
}

export function privateKeyPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

/** 32 random bytes as URL-safe base64: no character needs escaping in a connection string. */
export function password(): string {
  return randomBytes(32).toString('base64url');
}

export function newJwtRing(): JwtRing {
  return { current: privateKeyPem(), next: privateKeyPem() };
}

export function newDatabaseUsers(): DatabaseUsers {
  return {
    auth: { username: 'movies_auth', password: password() },
    data: { username: 'movies_data', password: password() },
  };
}

export function newRootUser(): DatabaseUser {
  return { username: 'root', password: password() };
}

/**
 * The rotation: next becomes current, current becomes previous (tokens it signed stay valid until
 * they expire), a fresh next. Refused until `minIntervalMs` after the last one, so the key that
 * leaves the ring (the old previous) has signed nothing still valid and every verifier has had
 * time to fetch the new next.
 */
export function rotate(ring: JwtRing, now: Date, minIntervalMs: number): JwtRing {
  if (ring.rotatedAt) {
    const since = now.getTime() - Date.parse(ring.rotatedAt);
    if (since < minIntervalMs)
      throw new SecretValueError(
        `the JWT keys were rotated ${Math.round(since / 1000)} s ago (${ring.rotatedAt}); wait at least ${Math.round(minIntervalMs / 1000)} s (min-rotation-interval) so tokens signed with the key that would leave the ring have expired`,
      );
  }
  return {
    previous: ring.current,
    current: ring.next,
    next: privateKeyPem(),
    rotatedAt: now.toISOString(),
  };
}

const PEM = /^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n?$/;

function object(name: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SecretValueError(`${name}: the stored value is not JSON`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new SecretValueError(`${name}: the stored value must be a JSON object`);
  return value as Record<string, unknown>;
}

function user(name: string, field: string, value: unknown): DatabaseUser {
  const u = value as Partial<DatabaseUser> | undefined;
  if (!u || typeof u.username !== 'string' || !/^[A-Za-z0-9_]{1,63}$/.test(u.username))
    throw new SecretValueError(`${name}: ${field}.username must be 1-63 letters, digits or _`);
  if (typeof u.password !== 'string' || u.password.length < 16 || /[^A-Za-z0-9_-]/.test(u.password))
    throw new SecretValueError(
      `${name}: ${field}.password must be at least 16 URL-safe characters (A-Z a-z 0-9 _ -)`,
    );
  return { username: u.username, password: u.password };
}

export function parseJwtRing(name: string, text: string): JwtRing {
  const value = object(name, text);
  for (const slot of ['current', 'next', 'previous'] as const) {
    const pem = value[slot];
    if (pem === undefined && slot === 'previous') continue;
    if (typeof pem !== 'string' || !PEM.test(pem))
      throw new SecretValueError(`${name}: ${slot} must be a PKCS#8 PEM private key`);
  }
  if (value.rotatedAt !== undefined && Number.isNaN(Date.parse(String(value.rotatedAt))))
    throw new SecretValueError(`${name}: rotatedAt must be an ISO 8601 time`);
  return value as unknown as JwtRing;
}

export function parseDatabaseUsers(name: string, text: string): DatabaseUsers {
  const value = object(name, text);
  return { auth: user(name, 'auth', value.auth), data: user(name, 'data', value.data) };
}

export function parseRootUser(name: string, text: string): DatabaseUser {
  return user(name, 'root', object(name, text));
}
