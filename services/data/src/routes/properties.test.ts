import fc from 'fast-check';
import request from 'supertest';
import { useDataService } from '../__fixtures__/harness';

// Random input on every write route and every query-string route: never a 5xx, and the service
// is still ready afterwards.
jest.setTimeout(60_000);

const harness = useDataService({ fresh: 'file' });
const app = () => harness.app();

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const keyish = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.constantFrom('rating', '$gt', '$set', 'a.b', '__proto__', 'constructor', 'q', 'limit'),
);
const body = fc.oneof(
  fc.dictionary(keyish, jsonValue, { maxKeys: 4 }),
  fc.record({ rating: jsonValue }),
  jsonValue,
);
const queryParams = fc.dictionary(
  fc.oneof(
    fc.constantFrom('q', 'genre', 'limit', 'cursor', 'since', 'q[$gt]', 'limit[]'),
    fc.string({ maxLength: 8 }),
  ),
  fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.array(fc.string({ maxLength: 5 }), { minLength: 2, maxLength: 3 }),
    fc.integer().map(String),
  ),
  { maxKeys: 4 },
);
const movieId = fc.oneof(
  fc.constantFrom('the-matrix-1999', 'alien-1979', 'nope-2000'),
  fc.string({ minLength: 1, maxLength: 30 }),
);

function toQuery(params: Record<string, string | string[]>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const one of Array.isArray(value) ? value : [value]) search.append(key, one);
  }
  return search.toString();
}

const notServerError = (response: request.Response) => {
  if (response.status >= 500) throw new Error(`answered ${response.status}: ${response.text}`);
};

it('PUT /ratings/:movieId never answers 5xx to random bodies and ids', async () => {
  await fc.assert(
    fc.asyncProperty(movieId, body, async (id, payload) => {
      const response = await request(app())
        .put(`/ratings/${encodeURIComponent(id)}`)
        .set('Authorization', harness.auth().bearer('fuzzer'))
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(payload));
      notServerError(response);
      if (response.status < 300) {
        expect(payload).toEqual({ rating: expect.any(Number) });
      }
    }),
    { numRuns: 150 },
  );
});

it('DELETE /ratings/:movieId never answers 5xx to random ids', async () => {
  await fc.assert(
    fc.asyncProperty(movieId, async (id) => {
      notServerError(
        await request(app())
          .delete(`/ratings/${encodeURIComponent(id)}`)
          .set('Authorization', harness.auth().bearer('fuzzer')),
      );
    }),
    { numRuns: 50 },
  );
});

it.each(['/movies', '/internal/ratings', '/genres', '/ratings/me'])(
  '%s never answers 5xx to random query strings',
  async (path) => {
    await fc.assert(
      fc.asyncProperty(queryParams, async (params) => {
        const response = await request(app())
          .get(`${path}?${toQuery(params)}`)
          .set('Authorization', harness.auth().bearer('fuzzer'));
        notServerError(response);
      }),
      { numRuns: 80 },
    );
  },
);

it('is still ready after all of the above', async () => {
  await request(app()).get('/readyz').expect(200);
});
