export interface SmokeOptions {
  /** Paths that must all answer 2xx, checked in order on each attempt. */
  paths: string[];
  timeoutMs: number;
  intervalMs: number;
  /** Per-request timeout. */
  requestTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface SmokeResult {
  ok: boolean;
  attempts: number;
  /** The last failure, when not ok. */
  lastError?: string;
}

/**
 * Polls the public URL until every path answers 2xx or the deadline passes. A fresh load balancer
 * takes minutes to resolve and pass health checks, hence retries rather than one request.
 */
export async function smokeTest(baseUrl: string, options: SmokeOptions): Promise<SmokeResult> {
  const deadline = Date.now() + options.timeoutMs;
  const base = baseUrl.replace(/\/+$/, '');
  let attempts = 0;
  let lastError: string;
  for (;;) {
    attempts++;
    lastError = '';
    for (const path of options.paths) {
      const url = `${base}${path}`;
      try {
        const response = await fetch(url, {
          signal: AbortSignal.timeout(options.requestTimeoutMs ?? 5000),
          redirect: 'follow',
        });
        await response.arrayBuffer();
        if (!response.ok) {
          lastError = `GET ${url} answered ${response.status}`;
          break;
        }
      } catch (error) {
        // fetch hides the reason (ECONNREFUSED, ENOTFOUND, a timeout) in `cause`.
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        lastError = `GET ${url} failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`;
        break;
      }
    }
    if (!lastError) return { ok: true, attempts };
    options.log?.(`smoke test attempt ${attempts}: ${lastError}`);
    if (Date.now() + options.intervalMs > deadline) return { ok: false, attempts, lastError };
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
