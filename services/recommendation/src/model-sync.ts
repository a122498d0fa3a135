import type { Logger } from '@movies/kit';
import type { DataClient } from './data-client';
import type { RecommendationModel } from './engine/model';
import type { FeedPage } from './feed-page';

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
  /**
   * The newest change of this user the model has ingested (ms since the epoch, data's clock), or
   * undefined when it holds none.
   */
  newestOf(userId: string): number | undefined;
  /**
   * Waits until the model holds a change of this user at least as new as `newest` (data's
   * per-user marker): when it does not yet, one refresh that starts after this call is run (or
   * joined) and awaited, at most until `deadline` (performance.now() time). True when the model
   * caught up, false when it did not within the deadline or the refresh failed.
   */
  catchUp(userId: string, newest: number, deadline: number): Promise<boolean>;
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
  /** Newest ingested change per user (data's updatedAt, ms). */
  const userNewest = new Map<string, number>();
  /** Refreshes run one at a time: the periodic one and those requests ask for. */
  let queue: Promise<unknown> = Promise.resolve();
  /** A requested refresh that has not started yet: later requests join it. */
  let requested: Promise<unknown> | undefined;
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
  };

  const loadCatalog = async () => {
    const movies = await data.catalog();
    model.setCatalog(movies);
    catalogLoaded = true;
    logger.info({ movies: movies.length }, 'model: catalog loaded');
  };

  /**
   * Reads the feed page by page, ingesting each page as it arrives while the next one is
   * already being fetched (data works on page n + 1 while this process ingests page n), so no
   * more than two pages are held at a time however large the feed. The first load reads the
   * catalog concurrently: ingesting needs no catalog, and a rating of a movie the catalog read
   * missed (created meanwhile) triggers one more catalog read before the neighbour lists are
   * computed.
   */
  const refresh = async () => {
    const startedAt = Date.now();
    const catalogRead = catalogLoaded ? undefined : loadCatalog();
    catalogRead?.catch(() => undefined); // awaited below; never an unhandled rejection
    const since = newestSeenMs === undefined ? undefined : newestSeenMs - overlapMs;
    const changedUsers = new Set<string>();
    let changeCount = 0;
    let ingestMs = 0;
    let newest = newestSeenMs;
    let next: Promise<FeedPage> | undefined = data.changes({ since, limit: pageSize });
    while (next) {
      const page: FeedPage = await next;
      next =
        page.hasMore && page.nextCursor
          ? data.changes({ since, cursor: page.nextCursor, limit: pageSize })
          : undefined;
      next?.catch(() => undefined); // awaited in the next turn, or dropped when this one throws
      if (!catalogRead && page.changes.some((change) => !model.hasMovie(change.movieId)))
        await loadCatalog();
      const ingestStart = performance.now();
      for (const userId of model.ingest(page.changes).changedUserIds) changedUsers.add(userId);
      ingestMs += performance.now() - ingestStart;
      changeCount += page.changes.length;
      for (const change of page.changes) {
        if (newest === undefined || change.updatedAtMs > newest) newest = change.updatedAtMs;
        if (!(change.updatedAtMs <= (userNewest.get(change.userId) ?? -1)))
          userNewest.set(change.userId, change.updatedAtMs);
      }
    }
    if (catalogRead) {
      await catalogRead;
      if (model.ratedOutsideCatalog()) await loadCatalog();
    }
    // Recompute neighbour lists in slices so requests keep being answered meanwhile.
    const neighboursStart = performance.now();
    while (!model.refresh(sliceMs)) await new Promise((resolve) => setImmediate(resolve));
    const neighboursMs = performance.now() - neighboursStart;
    // Only now: a failed refresh re-reads the same window (the model applies it idempotently).
    // With no change at all yet, later reads still start from the beginning (nothing to re-read).
    newestSeenMs = newest;
    successAt = startedAt;
    errorText = undefined;
    const level = changedUsers.size > 0 ? 'info' : 'debug';
    logger[level](
      {
        changes: changeCount,
        changedUsers: changedUsers.size,
        ...model.stats(),
        ms: Date.now() - startedAt,
        // Of which: applying the changes, and recomputing neighbour lists (the rest is reading).
        ingestMs: Math.round(ingestMs),
        neighboursMs: Math.round(neighboursMs),
      },
      'model: refreshed',
    );
    return { changes: changeCount, changedUsers: changedUsers.size };
  };

  const tick = async () => {
    try {
      running = exclusive(refresh);
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
    refresh: () => exclusive(refresh),
    start() {
      stopped = false;
      void tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
    newestOf: (userId) => userNewest.get(userId),
    async catchUp(userId, newest, deadline) {
      const caughtUp = () => (userNewest.get(userId) ?? Number.NEGATIVE_INFINITY) >= newest;
      if (caughtUp()) return true;
      let pending = requested;
      if (!pending) {
        const started = exclusive(async () => {
          requested = undefined; // from now on, a new request needs a later refresh
          return refresh();
        });
        requested = pending = started;
        started.catch((error: unknown) => {
          logger.warn(
            { err: error instanceof Error ? error.message : String(error) },
            'model: catch-up refresh failed',
          );
        });
      }
      const wait = Math.max(0, deadline - performance.now());
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        pending.catch(() => undefined),
        new Promise((resolve) => {
          timer = setTimeout(resolve, wait);
        }),
      ]).finally(() => clearTimeout(timer));
      return caughtUp();
    },
    loaded: () => successAt !== undefined,
    lastSuccessAt: () => successAt,
    lastError: () => errorText,
  };
}
