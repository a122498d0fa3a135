import { createJwksVerifier, createLogger, loadConfigOrExit } from '@movies/kit';
import { createRecommendationService } from './app';
import { recommendationConfigShape } from './config';
import { createDataClient } from './data-client';
import { RecommendationModel } from './engine/model';
import { createModelSync } from './model-sync';

/** Reads the configuration, starts keeping the model fresh and listens. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadConfigOrExit(recommendationConfigShape, env);
  const logger = createLogger({ service: 'recommendation', level: config.LOG_LEVEL });
  const data = createDataClient({
    baseUrl: config.DATA_URL,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    logger,
  });
  const model = new RecommendationModel();
  const sync = createModelSync({ model, data, logger, refreshMs: config.MODEL_REFRESH_MS });
  const verifier = createJwksVerifier({
    jwksUrl: `${config.AUTH_URL}/.well-known/jwks.json`,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    logger,
  });
  const service = createRecommendationService({ config, model, sync, data, verifier, logger });
  sync.start();
  await service.start();
}
