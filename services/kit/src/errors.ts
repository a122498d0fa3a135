import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import type { Logger } from './logger';
import { requestIdOf } from './request-id';

/** An error with the HTTP status and stable code the client sees. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export type UpstreamErrorKind = 'timeout' | 'unavailable' | 'bad_response';

/** A call to another service failed; `upstream` names it. */
export class UpstreamError extends Error {
  constructor(
    readonly upstream: string,
    readonly kind: UpstreamErrorKind,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpstreamError';
  }
}

/** The status an UpstreamError is answered with: 504 timeout, 503 unavailable, 502 bad response. */
export function upstreamErrorToHttp(error: UpstreamError): HttpError {
  switch (error.kind) {
    case 'timeout':
      return new HttpError(504, 'upstream_timeout', `${error.upstream} did not answer in time`);
    case 'unavailable':
      return new HttpError(503, 'upstream_unavailable', `${error.upstream} is unavailable`);
    default:
      return new HttpError(502, 'bad_gateway', `${error.upstream} gave an invalid response`);
  }
}

type Where = 'body' | 'query' | 'params' | 'headers' | string;

/**
 * Validates a request part; on failure throws a 400 `invalid_request` whose message names the
 * first field (`rating: expected an integer 1-5`) and whose details list every issue.
 */
export function parse<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: Where = 'body',
): z.output<T> {
  const result = schema.safeParse(value, {
    error: (issue) => (issue.input === undefined ? 'required' : undefined),
  });
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : where,
    message: issue.message,
  }));
  const first = issues[0]!;
  throw new HttpError(400, 'invalid_request', `${first.field}: ${first.message}`, {
    in: where,
    issues,
  });
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Rejects (400 `invalid_request`) object keys that could pollute prototypes or act as MongoDB
 * operators / dotted paths: `__proto__`, `constructor`, `prototype`, `$…` and anything with a `.`.
 */
export function assertSafeKeys(value: unknown, where: Where = 'body', maxDepth = 20): void {
  const visit = (node: unknown, path: string, depth: number): void => {
    if (node === null || typeof node !== 'object') return;
    if (depth > maxDepth)
      throw new HttpError(400, 'invalid_request', `${path || where}: nested too deeply`);
    for (const key of Object.keys(node)) {
      const keyPath = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key) || key.startsWith('$') || key.includes('.')) {
        throw new HttpError(400, 'invalid_request', `${keyPath}: key not allowed`);
      }
      visit((node as Record<string, unknown>)[key], keyPath, depth + 1);
    }
  };
  visit(value, '', 0);
}

/** Middleware form of assertSafeKeys for the JSON body. */
export const rejectUnsafeKeys: RequestHandler = (req, _res, next) => {
  assertSafeKeys(req.body, 'body');
  next();
};

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** Maps anything thrown to an HttpError; unknown errors become a bare 500. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof UpstreamError) return upstreamErrorToHttp(error);
  const parserError = error as BodyParserError;
  if (parserError && typeof parserError === 'object' && typeof parserError.type === 'string') {
    switch (parserError.type) {
      case 'entity.parse.failed':
        return new HttpError(400, 'invalid_json', 'request body is not valid JSON');
      case 'entity.too.large':
        return new HttpError(413, 'payload_too_large', 'request body is too large');
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return new HttpError(
          415,
          'unsupported_media_type',
          'request body encoding is not supported',
        );
      case 'request.aborted':
        return new HttpError(400, 'request_aborted', 'request was aborted');
      default:
        break;
    }
  }
  if (
    parserError &&
    typeof parserError.status === 'number' &&
    parserError.status >= 400 &&
    parserError.status < 500 &&
    parserError.expose
  ) {
    return new HttpError(parserError.status, 'bad_request', 'the request could not be read');
  }
  return new HttpError(500, 'internal', 'internal error');
}

/** The one error handler: `{ error: { code, message, requestId } }`, never a stack. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const httpError = toHttpError(error);
    const requestId = requestIdOf(req);
    if (httpError.status >= 500) {
      logger.error({ err: error, requestId, method: req.method, path: req.path }, 'request failed');
    } else {
      logger.debug(
        { code: httpError.code, requestId, message: httpError.message },
        'request rejected',
      );
    }
    if (httpError.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(httpError.status).json({
      error: { code: httpError.code, message: httpError.message, requestId },
    });
  };
}
