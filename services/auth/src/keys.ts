import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  ConfigError,
  algorithmFor,
  keyIdFor,
  publicJwk,
  type PublicJwk,
  type SigningAlgorithm,
  type VerificationKey,
} from '@movies/kit';

export interface ActiveSigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface SigningKeys {
  active: ActiveSigningKey;
  /** The active public key plus the extra ones kept for rotation. */
  verificationKeys: VerificationKey[];
  jwks: { keys: PublicJwk[] };
  /** True when no key was configured and a throwaway pair was generated. */
  generated: boolean;
}

export interface KeyConfig {
  NODE_ENV: string;
  /** A directory with current.pem (signs), next.pem and previous.pem (published, verified). */
  JWT_KEYS_DIR?: string | undefined;
  JWT_PRIVATE_KEY_FILE?: string | undefined;
  JWT_PRIVATE_KEY?: string | undefined;
  JWT_KEY_ID?: string | undefined;
  JWT_PUBLIC_KEYS_FILE?: string | undefined;
}

function readText(variable: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([
      `${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
}

function privateKeyFrom(variable: string, pem: string): KeyObject {
  // Accept PEMs whose newlines were escaped to fit one environment line.
  const text = pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch {
    throw new ConfigError([`${variable}: not a PEM private key`]);
  }
  try {
    algorithmFor(key);
  } catch (error) {
    throw new ConfigError([`${variable}: ${(error as Error).message}`]);
  }
  return key;
}

function extraKeysFrom(file: string, activeKid: string): VerificationKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readText('JWT_PUBLIC_KEYS_FILE', file));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([`JWT_PUBLIC_KEYS_FILE: ${file} is not JSON ({"kid": "PEM"})`]);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([`JWT_PUBLIC_KEYS_FILE: ${file} must be a JSON object {"kid": "PEM"}`]);
  }
  const problems: string[] = [];
  const keys: VerificationKey[] = [];
  for (const [kid, pem] of Object.entries(parsed as Record<string, unknown>)) {
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(kid))
      problems.push(
        `JWT_PUBLIC_KEYS_FILE: key id "${kid.slice(0, 40)}" is not 1-128 of [A-Za-z0-9._-]`,
      );
    else if (kid === activeKid)
      problems.push(`JWT_PUBLIC_KEYS_FILE: key id ${kid} is the active key's id`);
    else if (typeof pem !== 'string')
      problems.push(`JWT_PUBLIC_KEYS_FILE: ${kid}: value must be a PEM string`);
    else {
      try {
        const key = createPublicKey(pem);
        if (key.type !== 'public') throw new Error('not a public key');
        keys.push({ kid, alg: algorithmFor(key), key });
      } catch (error) {
        problems.push(`JWT_PUBLIC_KEYS_FILE: ${kid}: ${(error as Error).message}`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return keys;
}

/** The rotation slots of JWT_KEYS_DIR, in the order the JWKS lists them. */
export const KEY_SLOTS = ['current', 'next', 'previous'] as const;

function keySet(active: KeyObject, kid: string, extra: VerificationKey[]): SigningKeys {
  const publicKey = createPublicKey(active);
  const verificationKeys: VerificationKey[] = [
    { kid, alg: algorithmFor(publicKey), key: publicKey },
    ...extra,
  ];
  return {
    active: { kid, alg: algorithmFor(publicKey), privateKey: active, publicKey },
    verificationKeys,
    jwks: { keys: verificationKeys.map((key) => publicJwk(key.kid, key.key)) },
    generated: false,
  };
}

/**
 * The key ring of JWT_KEYS_DIR (the mounted movies-jwt Secret): current.pem signs; next.pem (the
 * key the next rotation makes current, published ahead so every verifier already has it) and
 * previous.pem (the key tokens issued before the last rotation are signed with, until they
 * expire) are published and verified. Each kid is the key's RFC 7638 thumbprint.
 */
function loadKeyDirectory(dir: string): SigningKeys {
  const file = (slot: string) => path.join(dir, `${slot}.pem`);
  if (!fs.existsSync(file('current')))
    throw new ConfigError([`JWT_KEYS_DIR: ${dir} has no current.pem (the signing key)`]);
  const [current, ...others] = KEY_SLOTS.map((slot) =>
    slot === 'current' || fs.existsSync(file(slot))
      ? privateKeyFrom(`JWT_KEYS_DIR ${slot}.pem`, readText('JWT_KEYS_DIR', file(slot)))
      : undefined,
  );
  const kid = keyIdFor(createPublicKey(current!));
  const extra: VerificationKey[] = [];
  for (const key of others) {
    if (!key) continue;
    const publicKey = createPublicKey(key);
    const other = keyIdFor(publicKey);
    if (other !== kid && !extra.some((e) => e.kid === other))
      extra.push({ kid: other, alg: algorithmFor(publicKey), key: publicKey });
  }
  return keySet(current!, kid, extra);
}

/**
 * Re-reads JWT_KEYS_DIR and swaps the ring in place (the token issuer, the key-set verifier and
 * the JWKS route hold these very objects), so a rotated Secret takes effect without a restart.
 * Returns the kids when they changed, null when nothing did.
 */
export function reloadSigningKeys(keys: SigningKeys, dir: string): string[] | null {
  const fresh = loadKeyDirectory(dir);
  const kids = (ring: SigningKeys) => ring.verificationKeys.map((key) => key.kid).join(',');
  if (kids(fresh) === kids(keys) && fresh.active.kid === keys.active.kid) return null;
  Object.assign(keys.active, fresh.active);
  keys.verificationKeys.splice(0, keys.verificationKeys.length, ...fresh.verificationKeys);
  keys.jwks = fresh.jwks;
  return fresh.verificationKeys.map((key) => key.kid);
}

/**
 * Polls JWT_KEYS_DIR (the kubelet updates a mounted Secret in place within about a minute) and
 * reloads the ring when it changes; a broken update is logged and the old ring kept. Returns a
 * function that stops the polling.
 */
export function watchSigningKeys(
  keys: SigningKeys,
  dir: string,
  options: { intervalMs: number; logger: { info: LogFn; error: LogFn } },
): () => void {
  const timer = setInterval(() => {
    try {
      const kids = reloadSigningKeys(keys, dir);
      if (kids)
        options.logger.info({ signing: keys.active.kid, published: kids }, 'JWT keys rotated');
    } catch (error) {
      options.logger.error({ err: error }, 'JWT keys: reload failed, keeping the current keys');
    }
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

type LogFn = (object: Record<string, unknown>, message: string) => void;

/**
 * The signing keys: the ring of JWT_KEYS_DIR, or one key from JWT_PRIVATE_KEY_FILE or
 * JWT_PRIVATE_KEY (PEM, RSA ≥ 2048 or EC P-256) with its kid (JWT_KEY_ID, else the key's RFC 7638
 * thumbprint) and the extra public keys of JWT_PUBLIC_KEYS_FILE. Without a key a pair is
 * generated — refused when NODE_ENV=production.
 */
export function loadSigningKeys(config: KeyConfig): SigningKeys {
  if (config.JWT_KEYS_DIR) {
    const others = [
      'JWT_PRIVATE_KEY_FILE',
      'JWT_PRIVATE_KEY',
      'JWT_KEY_ID',
      'JWT_PUBLIC_KEYS_FILE',
    ].filter((name) => config[name as keyof KeyConfig] !== undefined);
    if (others.length > 0)
      throw new ConfigError([
        `JWT_KEYS_DIR: set either JWT_KEYS_DIR or ${others.join(', ')}, not both`,
      ]);
    return loadKeyDirectory(config.JWT_KEYS_DIR);
  }
  if (config.JWT_PRIVATE_KEY_FILE && config.JWT_PRIVATE_KEY) {
    throw new ConfigError([
      'JWT_PRIVATE_KEY: set either JWT_PRIVATE_KEY_FILE or JWT_PRIVATE_KEY, not both',
    ]);
  }
  let privateKey: KeyObject;
  let generated = false;
  if (config.JWT_PRIVATE_KEY_FILE) {
    privateKey = privateKeyFrom(
      'JWT_PRIVATE_KEY_FILE',
      readText('JWT_PRIVATE_KEY_FILE', config.JWT_PRIVATE_KEY_FILE),
    );
  } else if (config.JWT_PRIVATE_KEY) {
    privateKey = privateKeyFrom('JWT_PRIVATE_KEY', config.JWT_PRIVATE_KEY);
  } else if (config.NODE_ENV === 'production') {
    throw new ConfigError([
      'JWT_PRIVATE_KEY_FILE: required when NODE_ENV=production (or JWT_PRIVATE_KEY)',
    ]);
  } else {
    privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    generated = true;
  }
  const publicKey = createPublicKey(privateKey);
  const alg = algorithmFor(publicKey);
  const kid = config.JWT_KEY_ID ?? keyIdFor(publicKey);
  const extra = config.JWT_PUBLIC_KEYS_FILE ? extraKeysFrom(config.JWT_PUBLIC_KEYS_FILE, kid) : [];
  const verificationKeys: VerificationKey[] = [{ kid, alg, key: publicKey }, ...extra];
  return {
    active: { kid, alg, privateKey, publicKey },
    verificationKeys,
    jwks: { keys: verificationKeys.map((key) => publicJwk(key.kid, key.key)) },
    generated,
  };
}
