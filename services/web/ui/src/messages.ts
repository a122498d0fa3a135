/** What the page was doing when a request failed; names the part of the app in messages. */
export type Area = 'account' | 'catalog' | 'ratings' | 'recommendations';

const AREA_NAMES: Record<Area, string> = {
  account: 'The sign-in service',
  catalog: 'The movie catalog',
  ratings: 'The ratings service',
  recommendations: 'The recommendation service',
};

export interface ErrorInfo {
  status: number;
  code: string;
  /** The server's own message, when it sent one. */
  message?: string;
  requestId?: string;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return trimmed;
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * The sentence shown to the user for a failed API call: never a JSON dump, always something a
 * person can act on. Server errors carry the request id so a report can be traced in the logs.
 */
export function describeError(error: ErrorInfo, area: Area): string {
  const name = AREA_NAMES[area];
  const reference = error.requestId ? ` (reference ${error.requestId})` : '';
  switch (error.status) {
    case 0:
      return 'Cannot reach the server. Check your connection and try again.';
    case 400:
    case 422:
      return error.message
        ? `Please check your input: ${sentence(error.message)}`
        : 'Please check your input and try again.';
    case 401:
      if (area === 'account' && error.code !== 'unauthenticated')
        return 'Wrong username or password.';
      return 'Your session has ended. Please log in again.';
    case 403:
      return 'The request was refused for security reasons. Reload the page and try again.';
    case 404:
      return 'That item was not found. It may have been removed.';
    case 409:
      return area === 'account'
        ? 'That username is already taken. Please choose another one.'
        : sentence(error.message ?? 'That conflicts with the current state');
    case 413:
      return 'That request is too large.';
    case 429:
      return 'Too many attempts. Please wait a moment and try again.';
    case 502:
      return `${name} had a problem answering. Please try again${reference}.`;
    case 503:
      return `${name} is unavailable right now. Please try again in a moment${reference}.`;
    case 504:
      return `${name} is taking too long to answer. Please try again${reference}.`;
    default:
      if (error.status >= 500)
        return `Something went wrong on our side. Please try again${reference}.`;
      return error.message ? sentence(error.message) : `The request failed (${error.status}).`;
  }
}
