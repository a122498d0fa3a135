import type { HttpClient, ReadinessCheck } from '@movies/kit';

export interface HealthCheckOptions {
  timeoutMs?: number;
  /** A result (good or bad) is reused for this long so probes do not hammer the upstreams. */
  cacheMs?: number;
  now?: () => number;
}

/** A readiness check that the upstream answers GET /healthz with 2xx, cached briefly. */
export function upstreamHealthCheck(
  upstream: HttpClient,
  options: HealthCheckOptions = {},
): ReadinessCheck {
  const timeoutMs = options.timeoutMs ?? 1000;
  const cacheMs = options.cacheMs ?? 2000;
  const now = options.now ?? Date.now;
  let cached: { at: number; error?: Error } | undefined;
  let inFlight: Promise<void> | undefined;

  const probe = async (): Promise<void> => {
    try {
      const response = await upstream.request({ path: '/healthz', timeoutMs });
      if (response.status < 200 || response.status > 299) {
        throw new Error(`${upstream.name} /healthz answered ${response.status}`);
      }
      cached = { at: now() };
    } catch (error) {
      cached = { at: now(), error: error instanceof Error ? error : new Error(String(error)) };
    }
  };

  return async () => {
    if (!cached || now() - cached.at >= cacheMs) {
      inFlight ??= probe().finally(() => {
        inFlight = undefined;
      });
      await inFlight;
    }
    if (cached?.error) throw cached.error;
  };
}
