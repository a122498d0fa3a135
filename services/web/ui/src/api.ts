import { describeError, type Area, type ErrorInfo } from './messages';

/** A failed API call; `message` is already the sentence to show. */
export class ApiError extends Error {
  constructor(
    readonly info: ErrorInfo,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return this.info.status;
  }
}

/** Fired on window when an API call finds the session gone. */
export const SESSION_EXPIRED = 'movies:session-expired';

/** Must match the web service's CSRF header (services/web/src/gateway/csrf.ts). */
const CSRF_HEADER = 'x-movies-csrf';

function errorInfo(status: number, body: unknown): ErrorInfo {
  const error = (
    body as { error?: { code?: unknown; message?: unknown; requestId?: unknown } } | undefined
  )?.error;
  return {
    status,
    code: typeof error?.code === 'string' ? error.code : 'unknown',
    message: typeof error?.message === 'string' ? error.message : undefined,
    requestId: typeof error?.requestId === 'string' ? error.requestId : undefined,
  };
}

/** Calls web's /api; throws ApiError with a readable message on any failure. */
export async function api<T>(area: Area, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers[CSRF_HEADER] = '1';
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    const info: ErrorInfo = { status: 0, code: 'network' };
    throw new ApiError(info, describeError(info, area));
  }
  const text = await response.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const info = errorInfo(response.status, parsed);
    // The session cookie expired (web has already cleared it): the app returns to the login form.
    if (response.status === 401 && area !== 'account')
      window.dispatchEvent(new Event(SESSION_EXPIRED));
    throw new ApiError(info, describeError(info, area));
  }
  return parsed as T;
}

export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
