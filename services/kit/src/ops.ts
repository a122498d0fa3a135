import { Router } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from './logger';

export type ReadinessCheck = () => Promise<void>;

export interface OpsRoutesOptions {
  name: string;
  version: string;
  gitSha: string;
  registry: Registry;
  logger: Logger;
  readinessChecks: Record<string, ReadinessCheck>;
  readinessTimeoutMs: number;
  isShuttingDown: () => boolean;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.slice(0, 200);
}

/**
 * The operational endpoints: /healthz (the process works), /readyz (dependencies reachable, not
 * shutting down; failure reasons in the body), /metrics (Prometheus) and /version. With OPS_PORT
 * they are served on that port only, which the chart's network policies open to the cluster's
 * monitoring and the kubelet, never to the public load balancer.
 */
export function opsRoutes(options: OpsRoutesOptions): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    if (options.isShuttingDown()) {
      res.status(503).json({ status: 'not_ready', reasons: { shutdown: 'shutting down' } });
      return;
    }
    const reasons: Record<string, string> = {};
    await Promise.all(
      Object.entries(options.readinessChecks).map(async ([checkName, check]) => {
        try {
          await withTimeout(check(), options.readinessTimeoutMs, checkName);
        } catch (error) {
          reasons[checkName] = describeFailure(error);
        }
      }),
    );
    if (Object.keys(reasons).length > 0) {
      options.logger.warn({ reasons }, 'not ready');
      res.status(503).json({ status: 'not_ready', reasons });
      return;
    }
    res.json({ status: 'ready', checks: Object.keys(options.readinessChecks) });
  });

  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', options.registry.contentType);
    res.send(await options.registry.metrics());
  });

  router.get('/version', (_req, res) => {
    res.json({ service: options.name, version: options.version, gitSha: options.gitSha });
  });
  return router;
}
