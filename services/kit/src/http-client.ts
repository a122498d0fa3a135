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
  headers: Record<string, string>;
  /** Parsed JSON when the response is JSON, else the text. */
  body: T;
  text: string;
}

export interface HttpClient {
  readonly name: string;
  request<T = unknown>(options: UpstreamRequest): Promise<UpstreamResponse<T>>;
  /** The raw fetch Response (body unread, for streaming); the timeout still applies to reading it. */
  requestRaw(options: UpstreamRequest): Promise<Response>;
}

function encodeBody(body: unknown, headers: Record<string, string>): RequestInit['body'] {
  if (body === undefined) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body as RequestInit['body'];
  headers['content-type'] ??= 'application/json';
  return JSON.stringify(body);
}

function isTimeout(error: unknown, signal: AbortSignal): boolean {
  // Checked by name and signal state: errors may come from another realm (jest's vm contexts).
  const name = (error as { name?: unknown } | null)?.name;
  return signal.aborted || name === 'TimeoutError' || name === 'AbortError';
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return String((error as { message?: unknown } | null)?.message ?? error);
}

/** A small fetch-based client for service-to-service calls: a timeout on every call, typed failures. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const { name } = options;

  const send = async (call: UpstreamRequest, signal: AbortSignal): Promise<Response> => {
    const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
    if (call.requestId) headers[REQUEST_ID_HEADER] = call.requestId;
    const body = encodeBody(call.body, headers);
    try {
      return await fetch(`${baseUrl}${call.path}`, {
        method: call.method ?? 'GET',
        headers,
        body,
        signal,
        redirect: 'manual',
      });
    } catch (error) {
      if (isTimeout(error, signal))
        throw new UpstreamError(
          name,
          'timeout',
          `${name}: no answer within the timeout`,
          undefined,
          { cause: error },
        );
      throw new UpstreamError(name, 'unavailable', `${name}: ${describeCause(error)}`, undefined, {
        cause: error,
      });
    }
  };

  return {
    name,
    async requestRaw(call) {
      const signal = AbortSignal.timeout(call.timeoutMs ?? options.timeoutMs);
      return send(call, signal);
    },
    async request<T>(call: UpstreamRequest): Promise<UpstreamResponse<T>> {
      const started = Date.now();
      const signal = AbortSignal.timeout(call.timeoutMs ?? options.timeoutMs);
      const response = await send(call, signal);
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        if (isTimeout(error, signal))
          throw new UpstreamError(
            name,
            'timeout',
            `${name}: response body not received in time`,
            response.status,
            { cause: error },
          );
        throw new UpstreamError(
          name,
          'bad_response',
          `${name}: response body could not be read`,
          response.status,
          { cause: error },
        );
      }
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => {
        headers[key] = value;
      });
      options.logger?.debug(
        {
          upstream: name,
          method: call.method ?? 'GET',
          path: call.path,
          status: response.status,
          durationMs: Date.now() - started,
          requestId: call.requestId,
        },
        'upstream call',
      );
      if (response.status >= 500 && !call.allowServerErrors) {
        throw new UpstreamError(
          name,
          'bad_response',
          `${name}: answered ${response.status}`,
          response.status,
        );
      }
      let body: unknown = text;
      if (/^application\/(.+\+)?json/i.test(headers['content-type'] ?? '') && text !== '') {
        try {
          body = JSON.parse(text);
        } catch (error) {
          throw new UpstreamError(
            name,
            'bad_response',
            `${name}: invalid JSON in the response`,
            response.status,
            { cause: error },
          );
        }
      }
      return { status: response.status, headers, body: body as T, text };
    },
  };
}
