import { createService, type JwksVerifier, type Logger, type Service } from '@movies/kit';
import type { RecommendationConfig } from './config';
import type { DataClient } from './data-client';
import type { RecommendationModel } from './engine/model';
import { registerModelMetrics } from './model-metrics';
import type { ModelSync } from './model-sync';
import { recommendationsRouter } from './recommendations-route';

export interface RecommendationServiceDeps {
  config: RecommendationConfig;
  model: RecommendationModel;
  sync: ModelSync;
  data: DataClient;
  verifier: JwksVerifier;
  logger?: Logger;
}

/**
 * The recommendation service (not listening; start() does that). Ready once the model has loaded
 * from data and auth's keys have been fetched, each at least once; after that, outages of data
 * or auth do not make it unready: it serves the last model and the cached keys (see README).
 */
export function createRecommendationService(deps: RecommendationServiceDeps): Service {
  const { sync, verifier } = deps;
  const service = createService({
    name: 'recommendation',
    config: deps.config,
    logger: deps.logger,
    readinessChecks: {
      model: async () => {
        if (!sync.loaded())
          throw new Error(`model not loaded yet${sync.lastError() ? `: ${sync.lastError()}` : ''}`);
      },
      auth: async () => {
        if (verifier.knownKeyIds().length === 0) await verifier.refresh();
      },
    },
  });
  service.app.use(
    recommendationsRouter({
      model: deps.model,
      sync,
      data: deps.data,
      verifier,
      logger: service.logger,
      freshnessTimeoutMs: deps.config.FRESHNESS_TIMEOUT_MS,
    }),
  );
  registerModelMetrics(service.registry, deps.model, sync);
  service.finish();
  service.onShutdown(() => sync.stop());
  return service;
}
