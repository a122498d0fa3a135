import { createJwksVerifier, createLogger, loadConfig } from '@movies/kit';
import {
  generateTestSigningKey,
  startJwksServer,
  tokenAttacks,
  validTestToken,
  type JwksServer,
  type TestSigningKey,
  type TokenAttack,
} from '@movies/testing';
import { createDataService } from '../app';
import { loadCatalog } from '../catalog/catalog';
import { dataConfigShape } from '../config';
import { createMemoryStorage } from '../storage/memory';
import type { Storage } from '../storage/types';

export const ISSUER = 'movies-auth';
export const AUDIENCE = 'movies';

/** A stand-in auth (JWKS on loopback) with one test key, and tokens signed by it. */
export interface TestAuth {
  jwks: JwksServer;
  key: TestSigningKey;
  /** `Bearer <token>` for the user. */
  bearer(userId?: string): string;
  attacks(): TokenAttack[];
  stop(): Promise<void>;
}

export async function startTestAuth(): Promise<TestAuth> {
  const key = generateTestSigningKey();
  const jwks = await startJwksServer([key]);
  const options = (subject: string) => ({
    privateKey: key.privateKey,
    kid: key.kid,
    issuer: ISSUER,
    audience: AUDIENCE,
    subject,
  });
  return {
    jwks,
    key,
    bearer: (userId = 'user-1') => `Bearer ${validTestToken(options(userId))}`,
    attacks: () => tokenAttacks(options('user-1')),
    stop: () => jwks.stop(),
  };
}

/** The data service in-process (for supertest) on the given storage, seeded with the catalog. */
export async function createTestDataService(
  auth: TestAuth,
  storage: Storage = createMemoryStorage(),
) {
  const config = loadConfig(dataConfigShape, {
    AUTH_URL: auth.jwks.url,
    LOG_LEVEL: 'silent',
    SHUTDOWN_DRAIN_MS: '0',
    NODE_ENV: 'test',
  });
  await storage.movies.seed(loadCatalog());
  const logger = createLogger({ service: 'data', level: 'silent' });
  const verifier = createJwksVerifier({
    jwksUrl: auth.jwks.jwksUrl,
    issuer: ISSUER,
    audience: AUDIENCE,
  });
  const service = createDataService({ config, storage, verifier, logger });
  return { service, app: service.app, storage };
}

/**
 * Registers jest hooks: one stand-in auth for the file, a fresh in-memory data service per test
 * (or per file with `fresh: 'file'`). Read the current ones through the returned getters.
 */
export function useDataService(options: { fresh?: 'test' | 'file' } = {}) {
  let auth: TestAuth | undefined;
  let current: Awaited<ReturnType<typeof createTestDataService>> | undefined;
  const create = async () => {
    current = await createTestDataService(auth!);
  };
  beforeAll(async () => {
    auth = await startTestAuth();
    if (options.fresh === 'file') await create();
  });
  if (options.fresh !== 'file') beforeEach(create);
  afterAll(() => auth?.stop());
  return {
    auth: () => auth!,
    app: () => current!.app,
    service: () => current!.service,
  };
}
