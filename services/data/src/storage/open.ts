import type { Logger } from '@movies/kit';
import type { MongoClientOptions } from 'mongodb';
import { catalogSnapshot } from './catalog-snapshot';
import { createMemoryStorage } from './memory';
import type { Movie, Storage } from './types';

/**
 * MongoDB when a URI is configured, else the in-memory store (development only: ratings are lost
 * on restart and not shared between replicas). Either way the catalog is seeded idempotently.
 */
export async function openStorage(options: {
  mongodbUri?: string;
  mongodbDb: string;
  mongoClientOptions?: MongoClientOptions;
  catalog: readonly Movie[];
  logger: Logger;
}): Promise<Storage> {
  const { logger } = options;
  let storage: Storage;
  if (options.mongodbUri) {
    // Loaded only when used: the driver costs ~22 MiB of resident memory an embedded run never needs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { connectMongoStorage } = require('./mongo') as typeof import('./mongo');
    const mongo = await connectMongoStorage({
      uri: options.mongodbUri,
      dbName: options.mongodbDb,
      clientOptions: options.mongoClientOptions,
    });
    logger.info({ db: options.mongodbDb }, 'storage: MongoDB connected, indexes ensured');
    await mongo.movies.seed(options.catalog);
    // Catalog reads are then served from this replica's memory (see catalog-snapshot.ts).
    storage = { ...mongo, movies: await catalogSnapshot(mongo.movies) };
    logger.info({ movies: options.catalog.length }, 'storage: catalog seeded and loaded');
    return storage;
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
