import { createService, type Logger, type Service, type TokenVerifier } from '@movies/kit';
import type { DataConfig } from './config';
import { internalRouter } from './routes/internal';
import { moviesRouter } from './routes/movies';
import { ratingsRouter } from './routes/ratings';
import type { Storage } from './storage/types';

export interface DataServiceDeps {
  config: DataConfig;
  storage: Storage;
  verifier: TokenVerifier;
  logger?: Logger;
}

/** The data service with every route mounted (not listening; start() does that). */
export function createDataService(deps: DataServiceDeps): Service {
  const { storage } = deps;
  const service = createService({
    name: 'data',
    config: deps.config,
    logger: deps.logger,
    readinessChecks: { storage: () => storage.ping() },
  });
  const logger = service.logger;
  service.app.use(moviesRouter(storage.movies));
  service.app.use(
    ratingsRouter({
      movies: storage.movies,
      ratings: storage.ratings,
      verifier: deps.verifier,
      logger,
    }),
  );
  service.app.use(internalRouter(storage.ratings));
  service.finish();
  service.onShutdown(() => storage.close());
  return service;
}
