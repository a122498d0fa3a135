import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import fs from 'node:fs';
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

/**
 * The signing key from JWT_PRIVATE_KEY_FILE or JWT_PRIVATE_KEY (PEM, RSA ≥ 2048 or EC P-256), its
 * kid (JWT_KEY_ID, else the key's RFC 7638 thumbprint), and the extra public keys of
 * JWT_PUBLIC_KEYS_FILE. Without a key a pair is generated — refused when NODE_ENV=production.
 */
export function loadSigningKeys(config: KeyConfig): SigningKeys {
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
