import { createServer, type Server } from 'node:http';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Registry } from 'prom-client';
import type { BaseConfig } from './config';
import { HttpError, errorHandler, notFoundHandler } from './errors';
import { createLogger, type Logger } from './logger';
import { createMetrics } from './metrics';
import { requestIdMiddleware, requestIdOf } from './request-id';
import { opsRoutes, type ReadinessCheck } from './ops';
import { createShutdown, installSignalHandlers, type Shutdown } from './shutdown';

export type { ReadinessCheck } from './ops';

export interface ServiceOptions {
  name: string;
  config: BaseConfig;
  logger?: Logger;
  readinessChecks?: Record<string, ReadinessCheck>;
  /** Each readiness check fails after this long (default 2000 ms). */
  readinessTimeoutMs?: number;
  /** Number of reverse-proxy hops whose X-Forwarded-For is trusted for req.ip (default 0: none). */
  trustProxy?: number;
  /** Server timeouts against slow clients (ms). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  /** Replaces process.exit at the end of the shutdown (tests). */
  exit?: (code: number) => void;
}

export interface StartOptions {
  port?: number;
  /** Port of the operational endpoints when config.OPS_PORT is set (0: any free port). */
  opsPort?: number;
  host?: string;
  /** Install SIGTERM/SIGINT handlers (default true). */
  handleSignals?: boolean;
}

export interface Service {
  readonly name: string;
  readonly app: Express;
  /** The app serving /healthz, /readyz, /metrics and /version: `app` itself without OPS_PORT. */
  readonly opsApp: Express;
  readonly logger: Logger;
  readonly registry: Registry;
  /** Adds the JSON 404 and the error handler; call after mounting the service's routes. */
  finish(): Express;
  /** Listens (config.PORT unless given; and config.OPS_PORT) and wires the graceful shutdown. */
  start(options?: StartOptions): Promise<Server>;
  listen(options?: StartOptions): Promise<Server>;
  /** Registers a closer run at shutdown after the listener closed (DB pools…). */
  onShutdown(closer: () => Promise<void> | void): void;
  /** Starts the shutdown sequence (what SIGTERM does). */
  shutdown(reason?: string): Promise<void>;
  isShuttingDown(): boolean;
}

// Probes are frequent and their failures are reported by the probe itself.
const PROBE_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

function listening(server: Server, port: number | undefined, host: string | undefined) {
  return new Promise<Server>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/**
 * The common skeleton of every service: security headers, request ids, JSON request logs, the
 * RED histogram, health/readiness/metrics/version routes, one error shape and a graceful
 * shutdown. Nothing listens until start().
 */
export function createService(options: ServiceOptions): Service {
  const { name, config } = options;
  const logger = options.logger ?? createLogger({ service: name, level: config.LOG_LEVEL });
  const metrics = createMetrics(name);
  const checks = options.readinessChecks ?? {};
  const readinessTimeoutMs = options.readinessTimeoutMs ?? 2000;
  const closers: Array<() => Promise<void> | void> = [];
  let shuttingDown = false;
  let shutdown: Shutdown | undefined;
  let finished = false;

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? 0);
  app.use(helmet());
  app.use(requestIdMiddleware);
  app.use(metrics.middleware);
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const line = {
        requestId: requestIdOf(req),
        method: req.method,
        path: req.path,
        status: res.statusCode,
        durationMs: Math.round(durationMs * 100) / 100,
      };
      if (PROBE_PATHS.has(req.path)) logger.debug(line, 'request');
      else if (res.statusCode >= 500) logger.error(line, 'request');
      else logger.info(line, 'request');
    });
    // Keep-alive clients learn to reconnect elsewhere while we drain.
    if (shuttingDown) res.setHeader('Connection', 'close');
    next();
  });
  app.use(express.json({ limit: config.BODY_LIMIT }));

  const ops = opsRoutes({
    name,
    version: config.SERVICE_VERSION,
    gitSha: config.GIT_SHA,
    registry: metrics.registry,
    logger,
    readinessChecks: checks,
    readinessTimeoutMs,
    isShuttingDown: () => shuttingDown,
  });
  // With OPS_PORT the public port answers only /healthz; the rest is on the ops port.
  const opsApp = config.OPS_PORT === undefined ? app : express();
  if (opsApp === app) app.use(ops);
  else {
    opsApp.disable('x-powered-by');
    opsApp.use(ops);
    app.get('/healthz', (_req, res) => {
      res.json({ status: 'ok' });
    });
  }

  const service: Service = {
    name,
    app,
    opsApp,
    logger,
    registry: metrics.registry,
    finish() {
      if (!finished) {
        finished = true;
        app.use(notFoundHandler);
        app.use(errorHandler(logger));
      }
      return app;
    },
    listen: (startOptions) => service.start(startOptions),
    async start(startOptions = {}) {
      if (!finished)
        throw new Error(`${name}: call finish() after mounting routes, before start()`);
      const server = await listening(
        createServer(app),
        startOptions.port ?? config.PORT,
        startOptions.host,
      );
      if (opsApp !== app) {
        const opsServer = await listening(
          createServer(opsApp),
          startOptions.opsPort ?? config.OPS_PORT,
          startOptions.host,
        );
        // Probes and scrapes keep working while the public listener drains; closed last.
        closers.push(
          () =>
            new Promise<void>((resolve) => {
              opsServer.close(() => resolve());
              opsServer.closeAllConnections();
            }),
        );
        const opsAddress = opsServer.address();
        logger.info(
          { opsPort: typeof opsAddress === 'object' && opsAddress ? opsAddress.port : opsAddress },
          `${name} operational endpoints listening`,
        );
      }
      server.headersTimeout = options.headersTimeoutMs ?? 15_000;
      server.requestTimeout = options.requestTimeoutMs ?? 30_000;
      // Longer than a cloud load balancer's idle timeout (60 s), so the LB closes first.
      server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 61_000;
      shutdown = createShutdown({
        server,
        logger,
        drainMs: config.SHUTDOWN_DRAIN_MS,
        graceMs: config.SHUTDOWN_GRACE_MS,
        markNotReady: () => {
          shuttingDown = true;
        },
        closers,
        exit: options.exit,
      });
      if (startOptions.handleSignals ?? true) installSignalHandlers(shutdown);
      const address = server.address();
      logger.info(
        {
          port: typeof address === 'object' && address ? address.port : address,
          version: config.SERVICE_VERSION,
          gitSha: config.GIT_SHA,
        },
        `${name} listening`,
      );
      return server;
    },
    onShutdown(closer) {
      closers.push(closer);
    },
    async shutdown(reason = 'requested') {
      if (!shutdown) throw new HttpError(500, 'internal', `${name}: shutdown() before start()`);
      await shutdown(reason);
    },
    isShuttingDown: () => shuttingDown,
  };
  return service;
}
