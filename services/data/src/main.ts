import fs from 'node:fs';
import {
  createJwksVerifier,
  createLogger,
  loadConfigOrExit,
  mongoClientOptions,
} from '@movies/kit';
import { createDataService } from './app';
import { loadCatalog } from './catalog/catalog';
import { dataConfigShape } from './config';
import { openStorage } from './storage/open';
import type { Movie } from './storage/types';

/** The shipped catalog, or the one in `file` (CATALOG_FILE) validated the same way. */
export function readCatalog(file?: string): Movie[] {
  if (file === undefined) return loadCatalog();
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`CATALOG_FILE ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return loadCatalog(raw);
  } catch (error) {
    throw new Error(`CATALOG_FILE ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** Reads the configuration, opens storage, seeds the catalog and listens. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadConfigOrExit(dataConfigShape, env);
  const logger = createLogger({ service: 'data', level: config.LOG_LEVEL });
  try {
    const storage = await openStorage({
      mongodbUri: config.MONGODB_URI,
      mongodbDb: config.MONGODB_DB,
      mongoClientOptions: mongoClientOptions(config, 'movies-data'),
      catalog: readCatalog(config.CATALOG_FILE),
      logger,
    });
    const verifier = createJwksVerifier({
      jwksUrl: `${config.AUTH_URL}/.well-known/jwks.json`,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      logger,
    });
    await createDataService({ config, storage, verifier, logger }).start();
  } catch (error) {
    logger.fatal({ err: error }, 'data: failed to start');
    process.exitCode = 1;
    throw error;
  }
}
