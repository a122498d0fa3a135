import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { HttpError, parse, requestIdOf, type HttpClient, type UpstreamResponse } from '@movies/kit';
import { clearSession, sessionToken, setSession } from './session';

export interface Upstreams {
  auth: HttpClient;
  data: HttpClient;
  recommendation: HttpClient;
}

/** Response headers of an upstream that mean something to the browser. */
const PASSED_RESPONSE_HEADERS = [
  'content-type',
  'etag',
  'last-modified',
  'location',
  'retry-after',
];

const PROXIED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Rejects paths that could climb out of the mapped prefix once an upstream decodes them
 * ("..", encoded slashes or dots, backslashes, empty segments), so nothing ever reaches a
 * path outside /movies, /genres, /ratings, /recommendations on an upstream — in particular
 * never data's /internal routes.
 */
function assertPlainPath(req: Request): void {
  const rawPath = req.originalUrl.split('?')[0] ?? '';
  if (/%2e|%2f|%5c|\\|\/\/|(^|\/)\.\.?(\/|$)/i.test(rawPath)) {
    throw new HttpError(400, 'invalid_path', 'the request path is not allowed');
  }
}

function queryString(req: Request): string {
  const index = req.originalUrl.indexOf('?');
  return index >= 0 ? req.originalUrl.slice(index) : '';
}

function bearer(req: Request): string | undefined {
  const token = sessionToken(req);
  if (token) return `Bearer ${token}`;
  // Non-browser clients may bring their own token; a browser never has one to send.
  const header = req.get('authorization');
  return header && /^Bearer \S+$/.test(header) ? header : undefined;
}

function authorizationHeader(req: Request): Record<string, string> {
  const authorization = bearer(req);
  return authorization ? { authorization } : {};
}

function jsonBody(req: Request): unknown {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE') return undefined;
  return req.body;
}

function send(req: Request, res: Response, upstream: UpstreamResponse): void {
  // An expired or revoked token: drop the cookie so the UI shows the login form.
  if (upstream.status === 401 && sessionToken(req)) clearSession(req, res);
  for (const name of PASSED_RESPONSE_HEADERS) {
    const value = upstream.headers[name];
    if (value !== undefined) res.setHeader(name, value);
  }
  res.status(upstream.status);
  if (upstream.status === 204 || upstream.status === 304 || req.method === 'HEAD') res.end();
  else res.end(upstream.text);
}

const credentialsSchema = z.object({ username: z.string(), password: z.string() });
const tokenSchema = z.object({
  accessToken: z.string().min(1),
  expiresIn: z.number().int().positive(),
});
const userSchema = z.looseObject({ username: z.string() });

function upstreamAnswer<T extends z.ZodType>(
  upstream: HttpClient,
  schema: T,
  response: UpstreamResponse,
): z.output<T> {
  const result = schema.safeParse(response.body);
  if (!result.success)
    throw new HttpError(502, 'bad_gateway', `${upstream.name} gave an invalid response`);
  return result.data;
}

/** The /api router: a fixed allow-list of routes, each mapped onto one upstream path. */
export function gatewayRouter(upstreams: Upstreams): Router {
  const router = Router();

  const proxyTo =
    (upstream: HttpClient, toPath: (req: Request) => string) =>
    async (req: Request, res: Response) => {
      assertPlainPath(req);
      if (!PROXIED_METHODS.has(req.method)) {
        // Notably OPTIONS: a CORS preflight is never forwarded, and never approved.
        res.setHeader('Allow', [...PROXIED_METHODS].join(', '));
        throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed here`);
      }
      const response = await upstream.request({
        method: req.method,
        path: `${toPath(req)}${queryString(req)}`,
        headers: authorizationHeader(req),
        body: jsonBody(req),
        requestId: requestIdOf(req),
        // Upstream errors reach the browser as they are (same JSON shape, same request id).
        allowServerErrors: true,
      });
      send(req, res, response);
    };
  // `/api/movies/*rest` keeps the rest of the path as it came (already checked by assertPlainPath).
  const samePath = (req: Request) => (req.originalUrl.split('?')[0] ?? '').replace(/^\/api/, '');

  router.post(
    '/auth/register',
    proxyTo(upstreams.auth, () => '/register'),
  );
  router.get('/auth/me', async (req, res) => {
    if (!bearer(req)) throw new HttpError(401, 'unauthenticated', 'not logged in');
    await proxyTo(upstreams.auth, () => '/me')(req, res);
  });

  router.post('/auth/login', async (req, res) => {
    const credentials = parse(credentialsSchema, req.body, 'body');
    const requestId = requestIdOf(req);
    const login = await upstreams.auth.request({
      method: 'POST',
      path: '/login',
      body: credentials,
      requestId,
      allowServerErrors: true,
    });
    if (login.status !== 200) {
      send(req, res, login);
      return;
    }
    const token = upstreamAnswer(upstreams.auth, tokenSchema, login);
    const me = await upstreams.auth.request({
      path: '/me',
      headers: { authorization: `Bearer ${token.accessToken}` },
      requestId,
      allowServerErrors: true,
    });
    if (me.status !== 200) {
      send(req, res, me);
      return;
    }
    setSession(req, res, token.accessToken, token.expiresIn);
    // The token itself stays in the cookie: the page learns who is logged in and for how long.
    res.json({ user: upstreamAnswer(upstreams.auth, userSchema, me), expiresIn: token.expiresIn });
  });

  router.post('/auth/logout', (req, res) => {
    clearSession(req, res);
    res.status(204).end();
  });

  router.all(['/movies', '/movies/*rest'], proxyTo(upstreams.data, samePath));
  router.all(['/genres', '/genres/*rest'], proxyTo(upstreams.data, samePath));
  router.all(['/ratings', '/ratings/*rest'], proxyTo(upstreams.data, samePath));
  router.all(
    ['/recommendations', '/recommendations/*rest'],
    proxyTo(upstreams.recommendation, samePath),
  );

  return router;
}
