import type { RequestHandler } from 'express';
import { HttpError } from '@movies/kit';

/**
 * Header the UI sends on every state-changing request. A cross-site HTML form cannot set a
 * header, and a cross-site fetch that sets one needs a CORS preflight that web never grants, so
 * its presence proves the request came from a page of this origin (or from a non-browser client,
 * which has no ambient cookie to abuse).
 */
export const CSRF_HEADER = 'x-movies-csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/**
 * Two independent defences for POST/PUT/PATCH/DELETE:
 * 1. Origin (or, without it, Referer) must name this host; a browser always sends one of them
 *    on a cross-origin request, so a missing pair is only accepted from non-browser clients.
 *    The host is the Host header, or X-Forwarded-Host from a trusted proxy (TRUST_PROXY).
 * 2. The custom header above must be present.
 */
export const csrfProtection: RequestHandler = (req, _res, next) => {
  if (SAFE_METHODS.has(req.method)) {
    next();
    return;
  }
  const origin = req.get('origin');
  const referer = req.get('referer');
  const claimed = origin !== undefined && origin !== 'null' ? origin : referer;
  if (origin === 'null' || (claimed !== undefined && hostOf(claimed) !== req.host)) {
    next(new HttpError(403, 'csrf_rejected', 'cross-origin request refused'));
    return;
  }
  if (req.get(CSRF_HEADER) !== '1') {
    next(
      new HttpError(
        403,
        'csrf_rejected',
        `the ${CSRF_HEADER} header is required on ${req.method} requests`,
      ),
    );
    return;
  }
  next();
};
