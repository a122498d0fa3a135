import type { Logger } from '@movies/kit';
import type { Movie, Storage } from './types';
import { createMemoryStorage } from './memory';

/**
 * MongoDB when a URI is configured, else the in-memory store (development only: ratings are lost
 * on restart and not shared between replicas). Either way the catalog is seeded idempotently.
 */
export async function openStorage(options: {
  mongodbUri?: string;
  mongodbDb: string;
  catalog: readonly Movie[];
  logger: Logger;
}): Promise<Storage> {
  const { logger } = options;
  let storage: Storage;
  if (options.mongodbUri) {
    // Loaded only when used: the driver costs ~22 MiB of resident memory an embedded run never needs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { connectMongoStorage } = require('./mongo') as typeof import('./mongo');
    storage = await connectMongoStorage({ uri: options.mongodbUri, dbName: options.mongodbDb });
    logger.info({ db: options.mongodbDb }, 'storage: MongoDB connected, indexes ensured');
  } else {
    logger.warn(
      'storage: MONGODB_URI is not set — using IN-MEMORY storage; ratings are LOST on restart and NOT shared between replicas',
    );
    storage = createMemoryStorage();
  }
  await storage.movies.seed(options.catalog);
  logger.info({ movies: options.catalog.length }, 'storage: catalog seeded');
  return storage;
}
