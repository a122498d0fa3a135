import { z } from 'zod';
import { HttpError, parse } from './errors';
import { queryInt, queryString } from './query';

const schema = z.strictObject({ q: queryString(5).optional(), limit: queryInt(1, 50).default(10) });

describe('query-string schemas', () => {
  it('accepts single strings and decimal integers in range, with defaults', () => {
    expect(parse(schema, { q: 'abc', limit: '50' }, 'query')).toEqual({ q: 'abc', limit: 50 });
    expect(parse(schema, {}, 'query')).toEqual({ limit: 10 });
  });

  it.each([
    [{ limit: '0' }, 'limit: must be an integer 1-50'],
    [{ limit: '51' }, 'limit: must be an integer 1-50'],
    [{ limit: '1e1' }, 'limit: must be an integer 1-50'],
    [{ limit: '-1' }, 'limit: must be an integer 1-50'],
    [{ limit: ['1', '2'] }, 'limit: must be an integer 1-50'],
    [{ q: ['a', 'b'] }, 'q: must be a single string value'],
    [{ q: 'toolong' }, 'q:'],
  ])('rejects %j with a 400 naming the parameter', (query, message) => {
    let thrown: unknown;
    try {
      parse(schema, query, 'query');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HttpError);
    expect((thrown as HttpError).status).toBe(400);
    expect((thrown as HttpError).message).toContain(message);
  });
});
