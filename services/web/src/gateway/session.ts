import type { CookieOptions, Request, Response } from 'express';

/** The httpOnly cookie holding the access token; the browser's JavaScript never sees it. */
export const SESSION_COOKIE = 'movies_session';

/** Reads one cookie from the Cookie header (no dependency needed for a single name). */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() !== name) continue;
    const value = part.slice(separator + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function sessionToken(req: Request): string | undefined {
  const token = readCookie(req, SESSION_COOKIE);
  return token && token.length > 0 ? token : undefined;
}

function cookieOptions(req: Request): CookieOptions {
  // req.secure: HTTPS here, or X-Forwarded-Proto: https from a trusted proxy (TRUST_PROXY hops).
  return { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' };
}

export function setSession(
  req: Request,
  res: Response,
  token: string,
  expiresInSeconds: number,
): void {
  res.cookie(SESSION_COOKIE, token, { ...cookieOptions(req), maxAge: expiresInSeconds * 1000 });
}

export function clearSession(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, cookieOptions(req));
}
