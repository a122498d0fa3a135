import type { Logger } from '@movies/kit';
import type { DataClient, FeedChange } from './data-client';
import type { RecommendationModel } from './engine/model';

export interface ModelSyncOptions {
  model: RecommendationModel;
  data: DataClient;
  logger: Logger;
  /** Pause between the end of one refresh and the start of the next. */
  refreshMs: number;
  /**
   * Each read of the feed starts this far before the newest change already seen, so a write that
   * committed late with an earlier timestamp (another data replica, a slow write) is still picked
   * up. Re-reading is harmless: the feed carries current states and the model applies them
   * idempotently.
   */
  overlapMs?: number;
  pageSize?: number;
  /** Longest stretch of model work between two turns of the event loop (default 5 ms). */
  sliceMs?: number;
}

export interface ModelSync {
  /** Reads everything new from the feed and applies it (the first call loads everything). */
  refresh(): Promise<{ changes: number; changedUsers: number }>;
  /** Refreshes now and then every refreshMs until stop(). */
  start(): void;
  stop(): Promise<void>;
  /** Whether one full load has succeeded. */
  loaded(): boolean;
  /** Time of the start of the last successful refresh (everything committed before it is in the model). */
  lastSuccessAt(): number | undefined;
  lastError(): string | undefined;
}

/** Keeps the model in step with data's change feed by polling it. */
export function createModelSync(options: ModelSyncOptions): ModelSync {
  const { model, data, logger } = options;
  const overlapMs = options.overlapMs ?? 10_000;
  // Large pages: each page is one query (a collection scan on FerretDB), at ~120 bytes a change.
  const pageSize = options.pageSize ?? 5000;
  const sliceMs = options.sliceMs ?? 5;
  let newestSeenMs: number | undefined;
  let catalogLoaded = false;
  let successAt: number | undefined;
  let errorText: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;

  const loadCatalog = async () => {
    const movies = await data.catalog();
    model.setCatalog(movies);
    catalogLoaded = true;
    logger.info({ movies: movies.length }, 'model: catalog loaded');
  };

  const refresh = async () => {
    const startedAt = Date.now();
    if (!catalogLoaded) await loadCatalog();
    const changes: FeedChange[] = [];
    let cursor: string | undefined;
    const since = newestSeenMs === undefined ? undefined : newestSeenMs - overlapMs;
    for (;;) {
      const page = await data.changes({ since, cursor, limit: pageSize });
      changes.push(...page.changes);
      if (!page.hasMore || !page.nextCursor) break;
      cursor = page.nextCursor;
    }
    if (changes.some((change) => !model.hasMovie(change.movieId))) await loadCatalog();
    const { changedUsers } = model.ingest(changes);
    // Recompute neighbour lists in slices so requests keep being answered meanwhile.
    while (!model.refresh(sliceMs)) await new Promise((resolve) => setImmediate(resolve));
    for (const change of changes) {
      if (newestSeenMs === undefined || change.updatedAtMs > newestSeenMs)
        newestSeenMs = change.updatedAtMs;
    }
    // With no change at all yet, later reads still start from the beginning (nothing to re-read).
    successAt = startedAt;
    errorText = undefined;
    const level = changedUsers > 0 ? 'info' : 'debug';
    logger[level](
      { changes: changes.length, changedUsers, ...model.stats(), ms: Date.now() - startedAt },
      'model: refreshed',
    );
    return { changes: changes.length, changedUsers };
  };

  const tick = async () => {
    try {
      running = refresh();
      await running;
    } catch (error) {
      errorText = error instanceof Error ? error.message : String(error);
      logger.warn({ err: errorText }, 'model: refresh failed, serving the previous model');
    } finally {
      running = undefined;
      if (!stopped) timer = setTimeout(() => void tick(), options.refreshMs);
    }
  };

  return {
    refresh,
    start() {
      stopped = false;
      void tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
    loaded: () => successAt !== undefined,
    lastSuccessAt: () => successAt,
    lastError: () => errorText,
  };
}
