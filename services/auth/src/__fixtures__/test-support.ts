import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '@movies/kit';
import { createAuthApp, type AuthConfig } from '../app';
import { authConfigShape } from '../config';
import { loadSigningKeys } from '../keys';
import { InMemoryUserRepository } from '../users/memory';
import type { UserRepository } from '../users/repository';

// One key for the whole test file: RSA generation is slow on a busy machine.
const testPrivateKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();

export function testAuthConfig(env: Record<string, string> = {}): AuthConfig {
  return loadConfig(authConfigShape, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PASSWORD_SCRYPT_N: '1024',
    JWT_PRIVATE_KEY: testPrivateKeyPem,
    JWT_KEY_ID: 'test-key',
    ...env,
  });
}

/** createAuthApp with the in-memory store (or the given one) and a cheap scrypt cost. */
export function buildTestAuth(
  options: { env?: Record<string, string>; users?: UserRepository } = {},
) {
  const config = testAuthConfig(options.env);
  const keys = loadSigningKeys(config);
  const users = options.users ?? new InMemoryUserRepository();
  const service = createAuthApp({ config, users, keys });
  return { service, app: service.app, config, keys, users, privateKeyPem: testPrivateKeyPem };
}
