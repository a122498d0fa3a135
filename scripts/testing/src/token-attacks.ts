import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  type KeyObject,
} from 'node:crypto';

export interface TestSigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A fresh RSA 2048 key pair for tests (never a committed key). */
export function generateTestSigningKey(kid = `test-${randomUUID()}`): TestSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

export interface TokenOptions {
  privateKey: KeyObject | string;
  kid: string;
  issuer: string;
  audience: string;
  /** The user id put in `sub` (default `user-1`). */
  subject?: string;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs header + claims with RS256, by hand, so tests do not share the code under test. */
export function signRs256(
  privateKey: KeyObject | string,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const input = `${encode({ typ: 'JWT', ...header, alg: 'RS256' })}.${encode(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function standardClaims(
  options: TokenOptions,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: options.subject ?? 'user-1',
    iss: options.issuer,
    aud: options.audience,
    iat: now,
    exp: now + 600,
    ...overrides,
  };
}

/** A token a correct verifier accepts. */
export function validTestToken(
  options: TokenOptions,
  claims: Record<string, unknown> = {},
): string {
  return signRs256(options.privateKey, { kid: options.kid }, standardClaims(options, claims));
}

export interface TokenAttack {
  name: string;
  /** The Authorization header to send; undefined means none at all. */
  authorization: string | undefined;
}

/**
 * Bad credentials every protected route must answer with 401: missing, malformed, `alg: none`,
 * HS256 keyed with the RSA public key (algorithm confusion), expired, not yet valid, wrong
 * issuer/audience, unknown kid, tampered payload, a foreign key reusing the kid, no sub, no exp.
 */
export function tokenAttacks(options: TokenOptions): TokenAttack[] {
  const privateKey =
    typeof options.privateKey === 'string'
      ? createPrivateKey(options.privateKey)
      : options.privateKey;
  const publicPem = createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString();
  const now = Math.floor(Date.now() / 1000);
  const claims = standardClaims(options);
  const bearer = (token: string) => `Bearer ${token}`;

  const noneToken = `${encode({ alg: 'none', typ: 'JWT', kid: options.kid })}.${encode(claims)}.`;
  const hsInput = `${encode({ alg: 'HS256', typ: 'JWT', kid: options.kid })}.${encode(claims)}`;
  const hsToken = `${hsInput}.${createHmac('sha256', publicPem).update(hsInput).digest('base64url')}`;

  const valid = validTestToken(options);
  const [header, , signature] = valid.split('.');
  const tampered = `${header}.${encode({ ...claims, sub: 'someone-else' })}.${signature}`;

  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const { exp: _exp, ...withoutExpiry } = claims;
  const { sub: _sub, ...withoutSubject } = claims;

  return [
    { name: 'no token', authorization: undefined },
    { name: 'empty bearer', authorization: 'Bearer ' },
    { name: 'basic scheme', authorization: 'Basic dXNlcjpwYXNz' },
    { name: 'token without scheme', authorization: valid },
    { name: 'garbage', authorization: bearer('not-a.jwt-at.all!') },
    { name: 'two segments', authorization: bearer(`${header}.${encode(claims)}`) },
    { name: 'alg none', authorization: bearer(noneToken) },
    { name: 'HS256 signed with the RSA public key', authorization: bearer(hsToken) },
    {
      name: 'expired',
      authorization: bearer(
        signRs256(
          privateKey,
          { kid: options.kid },
          { ...claims, iat: now - 7200, exp: now - 3600 },
        ),
      ),
    },
    {
      name: 'not yet valid',
      authorization: bearer(
        signRs256(privateKey, { kid: options.kid }, { ...claims, nbf: now + 3600 }),
      ),
    },
    {
      name: 'wrong issuer',
      authorization: bearer(
        signRs256(privateKey, { kid: options.kid }, { ...claims, iss: 'evil-issuer' }),
      ),
    },
    {
      name: 'wrong audience',
      authorization: bearer(
        signRs256(privateKey, { kid: options.kid }, { ...claims, aud: 'other-app' }),
      ),
    },
    {
      name: 'unknown kid',
      authorization: bearer(signRs256(privateKey, { kid: 'no-such-kid' }, claims)),
    },
    { name: 'no kid', authorization: bearer(signRs256(privateKey, {}, claims)) },
    { name: 'tampered payload', authorization: bearer(tampered) },
    {
      name: 'foreign key with the same kid',
      authorization: bearer(signRs256(foreign, { kid: options.kid }, claims)),
    },
    {
      name: 'no subject',
      authorization: bearer(signRs256(privateKey, { kid: options.kid }, withoutSubject)),
    },
    {
      name: 'no expiry',
      authorization: bearer(signRs256(privateKey, { kid: options.kid }, withoutExpiry)),
    },
  ];
}
