import { z } from 'zod';
import { HttpError, assertSafeKeys, parse, toHttpError } from './errors';

function thrown(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (error) {
    return error as HttpError;
  }
  throw new Error('expected a throw');
}

describe('parse', () => {
  const schema = z.object({
    movie: z.object({ id: z.string().min(1, 'must not be empty') }),
    tags: z.array(z.string()).optional(),
  });

  it('returns the parsed value', () => {
    expect(parse(schema, { movie: { id: 'm1' } })).toEqual({ movie: { id: 'm1' } });
  });

  it('names the nested field path and lists every issue', () => {
    const error = thrown(() => parse(schema, { movie: { id: '' }, tags: [1] }, 'body'));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_request');
    expect(error.message).toBe('movie.id: must not be empty');
    expect(error.details).toMatchObject({
      in: 'body',
      issues: [{ field: 'movie.id' }, { field: 'tags.0' }],
    });
  });

  it('names the request part when the whole value is wrong', () => {
    expect(thrown(() => parse(schema, 'text', 'query')).message).toMatch(/^query: /);
  });
});

describe('assertSafeKeys', () => {
  it.each([
    [{ $where: '1' }, '$where: key not allowed'],
    [{ filter: { 'a.b': 1 } }, 'filter.a.b: key not allowed'],
    [JSON.parse('{"__proto__": {"admin": true}}'), '__proto__: key not allowed'],
    [{ list: [{ ok: 1 }, { constructor: 1 }] }, 'list.1.constructor: key not allowed'],
  ])('rejects %j', (value, message) => {
    expect(thrown(() => assertSafeKeys(value)).message).toBe(message);
  });

  it('accepts plain data and rejects absurd nesting', () => {
    expect(() => assertSafeKeys({ a: [1, { b: 'c$.d' }], e: null })).not.toThrow();
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 30; i++) deep = (deep.x = {}) as Record<string, unknown>;
    expect(thrown(() => assertSafeKeys(root)).message).toMatch(/nested too deeply/);
  });
});

describe('toHttpError', () => {
  it('turns unknown errors into a bare 500', () => {
    expect(toHttpError(new Error('secret detail'))).toMatchObject({
      status: 500,
      code: 'internal',
      message: 'internal error',
    });
    expect(toHttpError('a string')).toMatchObject({ status: 500 });
    expect(toHttpError(null)).toMatchObject({ status: 500 });
  });
});
