import { describeError } from './messages';

describe('describeError', () => {
  it('names the part of the app that is down and keeps the request id for a report', () => {
    expect(
      describeError(
        {
          status: 503,
          code: 'upstream_unavailable',
          message: 'recommendation is unavailable',
          requestId: 'r-1',
        },
        'recommendations',
      ),
    ).toBe(
      'The recommendation service is unavailable right now. Please try again in a moment (reference r-1).',
    );
    expect(describeError({ status: 504, code: 'upstream_timeout' }, 'catalog')).toBe(
      'The movie catalog is taking too long to answer. Please try again.',
    );
  });

  it('tells a wrong password apart from an expired session', () => {
    expect(describeError({ status: 401, code: 'invalid_credentials' }, 'account')).toBe(
      'Wrong username or password.',
    );
    expect(describeError({ status: 401, code: 'unauthenticated' }, 'ratings')).toBe(
      'Your session has ended. Please log in again.',
    );
  });

  it('turns a validation message into a sentence', () => {
    expect(
      describeError(
        {
          status: 400,
          code: 'invalid_request',
          message: 'password: must be at least 8 characters',
        },
        'account',
      ),
    ).toBe('Please check your input: Password: must be at least 8 characters.');
  });

  it('never shows a raw body, even for an unknown failure', () => {
    const text = describeError({ status: 500, code: 'unknown' }, 'ratings');
    expect(text).toBe('Something went wrong on our side. Please try again.');
    expect(describeError({ status: 0, code: 'network' }, 'catalog')).toMatch(
      /Cannot reach the server/,
    );
    expect(describeError({ status: 409, code: 'username_taken' }, 'account')).toMatch(
      /already taken/,
    );
  });
});
