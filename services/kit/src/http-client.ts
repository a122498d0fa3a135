import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { UpstreamError } from './errors';
import type { Logger } from './logger';
import { REQUEST_ID_HEADER } from './request-id';

export interface HttpClientOptions {
  /** Names the upstream in errors and logs (`data`, `auth`…). */
  name: string;
  baseUrl: string;
  /** Default per-call timeout, covering connect, headers and body. */
  timeoutMs: number;
  logger?: Logger;
  /**
   * A pooled connection is closed once it is this old (default 30 s), so traffic behind a
   * Kubernetes Service spreads onto replicas that started after the connection was opened.
   */
  maxSocketAgeMs?: number;
  /** Idle pooled connections are closed after this long (default 4 s, below every server's keep-alive timeout). */
  idleSocketTimeoutMs?: number;
  /** Connections kept per upstream at most (default 256); further calls wait for one. */
  maxSockets?: number;
  /** Larger response bodies fail with `bad_response` (default 32 MiB). */
  maxResponseBytes?: number;
}

export interface UpstreamRequest {
  method?: string;
  /** Path with query string, appended to baseUrl. */
  path: string;
  /** Sent as JSON unless it is a string or a Buffer/Uint8Array (then sent as is). */
  body?: unknown;
  headers?: Record<string, string>;
  requestId?: string;
  timeoutMs?: number;
  /** Return 5xx answers instead of throwing `bad_response` (a gateway passing them through). */
  allowServerErrors?: boolean;
}

export interface UpstreamResponse<T = unknown> {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON when the response is JSON, else the text. */
  body: T;
  text: string;
}

export interface HttpClient {
  readonly name: string;
  request<T = unknown>(options: UpstreamRequest): Promise<UpstreamResponse<T>>;
  /** Closes the pooled connections (at shutdown). */
  close(): void;
}

/** Methods a client may resend when a pooled connection turned out to be closed (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const SOCKET_BORN = Symbol('movies.socketBornAt');

type AgentBase = typeof http.Agent;

/** An agent that keeps connections alive, but never past their maximum age. */
function agentWithMaxAge(Base: AgentBase, maxAgeMs: number, options: http.AgentOptions) {
  const agent = new Base(options);
  const keepSocketAlive = agent.keepSocketAlive.bind(agent);
  agent.keepSocketAlive = (socket: Socket) => {
    const bornAt = (socket as Socket & { [SOCKET_BORN]?: number })[SOCKET_BORN];
    if (bornAt === undefined)
      (socket as Socket & { [SOCKET_BORN]?: number })[SOCKET_BORN] = Date.now();
    else if (Date.now() - bornAt >= maxAgeMs) return false;
    return keepSocketAlive(socket);
  };
  return agent;
}

function encodeBody(
  body: unknown,
  headers: Record<string, string>,
): string | Uint8Array | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  headers['content-type'] ??= 'application/json';
  return JSON.stringify(body);
}

function flattenHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

class CallTimeout extends Error {
  constructor(readonly phase: 'headers' | 'body') {
    super(`no answer within the timeout (${phase})`);
    this.name = 'TimeoutError';
  }
}

class ResponseTooLarge extends Error {
  constructor(limit: number) {
    super(`response body larger than ${limit} bytes`);
  }
}

/**
 * The client for service-to-service calls: pooled keep-alive connections (node:http), a timeout
 * on every call, typed failures, and one transparent retry of an idempotent call whose pooled
 * connection the server had already closed.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const base = new URL(options.baseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new Error(`${options.name}: base URL must be http(s), got ${base.protocol}`);
  const prefix = base.pathname.replace(/\/+$/, '');
  const transport = base.protocol === 'https:' ? https : http;
  const agent = agentWithMaxAge(transport.Agent, options.maxSocketAgeMs ?? 30_000, {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 256,
    maxFreeSockets: 64,
    timeout: options.idleSocketTimeoutMs ?? 4000,
    scheduling: 'fifo',
  });
  const maxResponseBytes = options.maxResponseBytes ?? 32 * 2 ** 20;
  const { name } = options;

  const attempt = (
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
    deadline: number,
  ) =>
    new Promise<RawAnswer>((resolve, reject) => {
      let phase: 'headers' | 'body' = 'headers';
      // Our own reason to give up (timeout, size): later error events of the destroyed request report it.
      let cause: CallTimeout | ResponseTooLarge | undefined;
      const request = transport.request(
        {
          protocol: base.protocol,
          hostname: base.hostname.replace(/^\[|\]$/g, ''),
          port: base.port || undefined,
          method,
          path: `${prefix}${path}`,
          headers,
          agent,
        },
        (response) => {
          phase = 'body';
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= maxResponseBytes) chunks.push(chunk);
            else if (!cause) {
              cause = new ResponseTooLarge(maxResponseBytes);
              fail(cause);
              response.destroy();
            }
          });
          response.on('end', () => {
            if (cause) {
              fail(cause);
              return;
            }
            clearTimeout(timer);
            resolve({
              status: response.statusCode ?? 0,
              headers: flattenHeaders(response.headers),
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
          response.on('error', fail);
          response.on('aborted', () => fail(new Error('response aborted')));
        },
      );
      function fail(error: unknown) {
        clearTimeout(timer);
        if (cause) reject(cause);
        else reject(Object.assign(error as object, { reusedSocket: request.reusedSocket, phase }));
      }
      const timer = setTimeout(
        () => {
          cause = new CallTimeout(phase);
          fail(cause);
          request.destroy();
        },
        Math.max(0, deadline - Date.now()),
      );
      request.on('error', fail);
      request.end(body);
    });

  const send = async (call: UpstreamRequest): Promise<RawAnswer> => {
    const method = call.method ?? 'GET';
    const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
    if (call.requestId) headers[REQUEST_ID_HEADER] = call.requestId;
    const body = encodeBody(call.body, headers);
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const deadline = Date.now() + (call.timeoutMs ?? options.timeoutMs);
    try {
      try {
        return await attempt(method, call.path, headers, body, deadline);
      } catch (error) {
        const failed = error as { reusedSocket?: boolean; phase?: string; code?: string };
        // The server closed a pooled connection as we reused it: nothing was processed, resend once.
        const staleConnection =
          failed.reusedSocket === true &&
          failed.phase === 'headers' &&
          (failed.code === 'ECONNRESET' || failed.code === 'EPIPE');
        if (!staleConnection || !IDEMPOTENT.has(method)) throw error;
        return await attempt(method, call.path, headers, body, deadline);
      }
    } catch (error) {
      if (error instanceof CallTimeout)
        throw new UpstreamError(
          name,
          'timeout',
          error.phase === 'headers'
            ? `${name}: no answer within the timeout`
            : `${name}: response body not received in time`,
          undefined,
          { cause: error },
        );
      if (error instanceof ResponseTooLarge)
        throw new UpstreamError(name, 'bad_response', `${name}: ${error.message}`, undefined, {
          cause: error,
        });
      const failed = error as { code?: unknown; message?: unknown; phase?: string };
      if (failed.phase === 'body')
        throw new UpstreamError(
          name,
          'bad_response',
          `${name}: response body could not be read`,
          undefined,
          {
            cause: error,
          },
        );
      const reason =
        typeof failed.code === 'string' ? failed.code : String(failed.message ?? error);
      throw new UpstreamError(name, 'unavailable', `${name}: ${reason}`, undefined, {
        cause: error,
      });
    }
  };

  return {
    name,
    close: () => agent.destroy(),
    async request<T>(call: UpstreamRequest): Promise<UpstreamResponse<T>> {
      const started = Date.now();
      const answer = await send(call);
      options.logger?.debug(
        {
          upstream: name,
          method: call.method ?? 'GET',
          path: call.path,
          status: answer.status,
          durationMs: Date.now() - started,
          requestId: call.requestId,
        },
        'upstream call',
      );
      if (answer.status >= 500 && !call.allowServerErrors) {
        throw new UpstreamError(
          name,
          'bad_response',
          `${name}: answered ${answer.status}`,
          answer.status,
        );
      }
      let body: unknown = answer.text;
      if (
        /^application\/(.+\+)?json/i.test(answer.headers['content-type'] ?? '') &&
        answer.text !== ''
      ) {
        try {
          body = JSON.parse(answer.text);
        } catch (error) {
          throw new UpstreamError(
            name,
            'bad_response',
            `${name}: invalid JSON in the response`,
            answer.status,
            { cause: error },
          );
        }
      }
      return { status: answer.status, headers: answer.headers, body: body as T, text: answer.text };
    },
  };
}
