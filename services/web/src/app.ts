import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import {
  createHttpClient,
  createLogger,
  createService,
  type Logger,
  type Service,
} from '@movies/kit';
import type { WebConfig } from './config';
import { csrfProtection } from './gateway/csrf';
import { upstreamHealthCheck } from './gateway/readiness';
import { gatewayRouter, type Upstreams } from './gateway/routes';

export interface WebServiceOptions {
  logger?: Logger;
  /** Readiness probe cache (ms); tests shorten it. */
  readinessCacheMs?: number;
}

function upstreamsFrom(config: WebConfig, logger: Logger): Upstreams {
  const client = (name: string, baseUrl: string) =>
    createHttpClient({ name, baseUrl, timeoutMs: config.UPSTREAM_TIMEOUT_MS, logger });
  return {
    auth: client('auth', config.AUTH_URL),
    data: client('data', config.DATA_URL),
    recommendation: client('recommendation', config.RECOMMENDATION_URL),
  };
}

/** Serves the UI bundle: index.html always revalidated, content-hashed assets cached for a year. */
function staticUi(publicDir: string, logger: Logger): express.RequestHandler {
  if (!fs.existsSync(path.join(publicDir, 'index.html'))) {
    logger.warn(
      { publicDir },
      'UI bundle missing: run `npm run build:assets -w services/web`; only /api is served',
    );
  }
  return express.static(publicDir, {
    index: 'index.html',
    setHeaders(res, file) {
      const hashed = /-[A-Z0-9]{8,}\.(js|css)$/i.test(file);
      res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}

/** The web service: the UI, and /api routed to auth, data and recommendation. */
export function createWebService(config: WebConfig, options: WebServiceOptions = {}): Service {
  const logger = options.logger ?? createLogger({ service: 'web', level: config.LOG_LEVEL });
  const upstreams = upstreamsFrom(config, logger);
  const cacheMs = options.readinessCacheMs ?? 2000;
  const service = createService({
    name: 'web',
    config,
    logger,
    trustProxy: config.TRUST_PROXY,
    readinessChecks: Object.fromEntries(
      Object.values(upstreams).map((upstream) => [
        upstream.name,
        upstreamHealthCheck(upstream, { timeoutMs: 1000, cacheMs }),
      ]),
    ),
  });
  const api = express.Router();
  api.use((_req, res, next) => {
    // API answers are per user: never stored by a shared cache.
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use(csrfProtection);
  api.use(gatewayRouter(upstreams));
  service.app.use('/api', api);
  service.app.use(staticUi(config.PUBLIC_DIR, service.logger));
  service.finish();
  return service;
}
