import http from 'node:http';
import { summarize, type LatencySummary } from './stats';

export interface LoadRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  /** http://127.0.0.1:port — loopback only. */
  baseUrl: string;
  /** Concurrent in-flight requests (a closed loop: each worker waits for its answer). */
  connections: number;
  /** Stop after this long... */
  durationMs: number;
  /** ...or after this many requests, whichever comes first. */
  maxRequests?: number;
  /** Per-request timeout; a timeout counts as a failure. */
  timeoutMs?: number;
  /** Picks the next request; `index` counts from 0 across all workers. */
  next: (index: number) => LoadRequest;
  /** Stops the load early (workers finish their current request). */
  signal?: AbortSignal;
  /** Which answers count as success (2xx by default). */
  isSuccess?: (status: number) => boolean;
}

export interface LoadResult {
  requests: number;
  failures: number;
  /** Count of answers by status code; transport errors as "error:<code>", timeouts as "timeout". */
  outcomes: Record<string, number>;
  latency: LatencySummary;
  requestsPerSecond: number;
  elapsedMs: number;
}

/**
 * A bounded closed-loop load generator on keep-alive connections. It only talks to loopback
 * addresses and always stops by itself (duration and request count are both bounded).
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const base = new URL(options.baseUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname)) {
    throw new Error(`load target ${options.baseUrl} is not a loopback address`);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const isSuccess = options.isSuccess ?? ((status: number) => status >= 200 && status < 300);
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxRequests = options.maxRequests ?? Number.POSITIVE_INFINITY;
  const outcomes: Record<string, number> = {};
  const latencies: number[] = [];
  let issued = 0;
  let failures = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;

  const once = (request: LoadRequest) =>
    new Promise<string>((resolve) => {
      const req = http.request(
        {
          agent,
          host: base.hostname.replace(/^\[|\]$/g, ''),
          port: base.port,
          method: request.method ?? 'GET',
          path: request.path,
          headers: request.body
            ? { 'content-type': 'application/json', ...request.headers }
            : request.headers,
          timeout: timeoutMs,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(String(res.statusCode)));
          res.on('error', (error: NodeJS.ErrnoException) =>
            resolve(`error:${error.code ?? 'body'}`),
          );
        },
      );
      req.on('timeout', () =>
        req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
      );
      req.on('error', (error: NodeJS.ErrnoException) =>
        resolve(error.code === 'TIMEOUT' ? 'timeout' : `error:${error.code ?? 'unknown'}`),
      );
      req.end(request.body);
    });

  const worker = async () => {
    while (performance.now() < deadline && issued < maxRequests && !options.signal?.aborted) {
      const request = options.next(issued++);
      const t0 = performance.now();
      const outcome = await once(request);
      latencies.push(performance.now() - t0);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      const status = Number(outcome);
      if (!Number.isInteger(status) || !isSuccess(status)) failures += 1;
    }
  };

  await Promise.all(Array.from({ length: options.connections }, worker));
  agent.destroy();
  const elapsedMs = performance.now() - started;
  return {
    requests: latencies.length,
    failures,
    outcomes,
    latency: summarize(latencies),
    requestsPerSecond: (latencies.length / elapsedMs) * 1000,
    elapsedMs,
  };
}
