import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Printable, bounded, no spaces or quotes: safe to echo in a header and a log line. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const requestIds = new WeakMap<Request, string>();

/** Accepts a sane incoming `x-request-id`, otherwise generates one; echoes it in the response. */
export const requestIdMiddleware: RequestHandler = (req, res, next) => {
  const incoming = req.get(REQUEST_ID_HEADER);
  const id = incoming && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  requestIds.set(req, id);
  (req as Request & { id: string }).id = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  next();
};

/** The request id set by requestIdMiddleware (or "unknown" before it ran). */
export function requestIdOf(req: Request): string {
  return requestIds.get(req) ?? 'unknown';
}
