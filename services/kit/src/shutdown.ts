import type { Server } from 'node:http';
import type { Logger } from './logger';

export interface ShutdownOptions {
  server: Server;
  logger: Logger;
  /** Time between readiness turning 503 and closing the listener (endpoints stop routing). */
  drainMs: number;
  /** Hard exit(1) after this long, whatever is still running. */
  graceMs: number;
  /** Called at once: readiness must fail from now on. */
  markNotReady: () => void;
  /** Closers run after the listener closed (DB pools, timers), in registration order. */
  closers: Array<() => Promise<void> | void>;
  exit?: (code: number) => void;
}

/** Waits for buffered log lines to be written (a pipe may still hold them at exit); at most 1 s. */
function flush(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, 1000);
    fallback.unref();
    try {
      logger.flush(() => {
        clearTimeout(fallback);
        resolve();
      });
    } catch {
      clearTimeout(fallback);
      resolve();
    }
  });
}

export type Shutdown = (reason: string) => Promise<void>;

/**
 * The shutdown sequence: not ready → wait drainMs → stop accepting, let in-flight requests
 * finish, drop idle keep-alive connections → run closers → exit 0. A second call returns the
 * same promise; a timer (unref'd, so it never keeps the process alive) exits 1 after graceMs.
 */
export function createShutdown(options: ShutdownOptions): Shutdown {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let running: Promise<void> | undefined;
  const sequence = async (reason: string) => {
    const { logger, server } = options;
    logger.info(
      { reason, drainMs: options.drainMs, graceMs: options.graceMs },
      'shutdown: marked not ready, draining',
    );
    options.markNotReady();
    const hardStop = setTimeout(() => {
      logger.error({ graceMs: options.graceMs }, 'shutdown: grace period over, forcing exit');
      exit(1);
    }, options.graceMs);
    hardStop.unref();

    await new Promise((resolve) => setTimeout(resolve, options.drainMs));
    logger.info('shutdown: closing server, waiting for in-flight requests');
    // Keep-alive connections turn idle once their in-flight request ends: keep closing them.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    sweep.unref();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    clearInterval(sweep);
    logger.info('shutdown: server closed, running closers');
    let failed = false;
    for (const closer of options.closers) {
      try {
        await closer();
      } catch (error) {
        failed = true;
        logger.error({ err: error }, 'shutdown: a closer failed');
      }
    }
    clearTimeout(hardStop);
    logger.info({ failed }, 'shutdown: complete');
    await flush(logger);
    exit(failed ? 1 : 0);
  };
  return (reason) => {
    running ??= sequence(reason);
    return running;
  };
}

/** Runs the shutdown on SIGTERM and SIGINT. Returns a function removing the handlers. */
export function installSignalHandlers(shutdown: Shutdown): () => void {
  const onSigterm = () => void shutdown('SIGTERM');
  const onSigint = () => void shutdown('SIGINT');
  process.on('SIGTERM', onSigterm);
  process.on('SIGINT', onSigint);
  return () => {
    process.off('SIGTERM', onSigterm);
    process.off('SIGINT', onSigint);
  };
}
