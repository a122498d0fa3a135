import request from 'supertest';
import { useDataService } from '../__fixtures__/harness';

const harness = useDataService();
const app = () => harness.app();
const auth = {
  bearer: (user?: string) => harness.auth().bearer(user),
  attacks: () => harness.auth().attacks(),
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PUT /ratings/:movieId', () => {
  it('creates (201) then replaces (200) the user rating', async () => {
    const created = await request(app())
      .put('/ratings/the-matrix-1999')
      .set('Authorization', auth.bearer())
      .send({ rating: 4 })
      .expect(201);
    expect(created.body).toEqual({
      movieId: 'the-matrix-1999',
      rating: 4,
      updatedAt: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(created.body.updatedAt))).toBe(false);
    const replaced = await request(app())
      .put('/ratings/the-matrix-1999')
      .set('Authorization', auth.bearer())
      .send({ rating: 2 })
      .expect(200);
    expect(replaced.body.rating).toBe(2);
    const mine = await request(app())
      .get('/ratings/me')
      .set('Authorization', auth.bearer())
      .expect(200);
    expect(mine.body.ratings).toEqual([
      {
        movieId: 'the-matrix-1999',
        title: 'The Matrix',
        year: 1999,
        rating: 2,
        updatedAt: replaced.body.updatedAt,
      },
    ]);
  });

  it('answers 404 movie_not_found for a movie outside the catalog', async () => {
    const response = await request(app())
      .put('/ratings/no-such-movie-2000')
      .set('Authorization', auth.bearer())
      .send({ rating: 3 })
      .expect(404);
    expect(response.body.error.code).toBe('movie_not_found');
  });

  it.each([
    ['rating 0', { rating: 0 }, 'rating'],
    ['rating 6', { rating: 6 }, 'rating'],
    ['a fraction', { rating: 3.5 }, 'rating'],
    ['a string', { rating: '5' }, 'rating'],
    ['null', { rating: null }, 'rating'],
    ['missing rating', {}, 'rating'],
    ['an operator object', { rating: { $gt: '' } }, '$gt'],
    ['an operator key', { $set: { rating: 5 } }, '$set'],
    ['a dotted key', { 'rating.x': 5 }, 'rating.x'],
    ['an extra field', { rating: 5, userId: 'someone-else' }, 'userId'],
    ['an array', [{ rating: 5 }], 'body'],
  ])('rejects %s with a 400 naming the field', async (_name, body, field) => {
    const response = await request(app())
      .put('/ratings/the-matrix-1999')
      .set('Authorization', auth.bearer())
      .send(body as object)
      .expect(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(response.body.error.message).toContain(field);
  });

  it('rejects a body that is not JSON', async () => {
    const response = await request(app())
      .put('/ratings/the-matrix-1999')
      .set('Authorization', auth.bearer())
      .set('Content-Type', 'application/json')
      .send('{"rating": 5')
      .expect(400);
    expect(response.body.error.code).toBe('invalid_json');
    const text = await request(app())
      .put('/ratings/the-matrix-1999')
      .set('Authorization', auth.bearer())
      .type('text')
      .send('5')
      .expect(400);
    expect(text.body.error.message).toContain('body');
  });
});

describe('GET /ratings/me', () => {
  it('lists only the caller’s ratings, newest first, with titles', async () => {
    await request(app())
      .put('/ratings/alien-1979')
      .set('Authorization', auth.bearer('ann'))
      .send({ rating: 5 })
      .expect(201);
    await sleep(3);
    await request(app())
      .put('/ratings/heat-1995')
      .set('Authorization', auth.bearer('ann'))
      .send({ rating: 3 })
      .expect(201);
    await request(app())
      .put('/ratings/amelie-2001')
      .set('Authorization', auth.bearer('bob'))
      .send({ rating: 1 })
      .expect(201);
    const ann = await request(app())
      .get('/ratings/me')
      .set('Authorization', auth.bearer('ann'))
      .expect(200);
    expect(
      ann.body.ratings.map((r: { movieId: string; title: string; rating: number }) => [
        r.movieId,
        r.title,
        r.rating,
      ]),
    ).toEqual([
      ['heat-1995', 'Heat', 3],
      ['alien-1979', 'Alien', 5],
    ]);
    const carol = await request(app())
      .get('/ratings/me')
      .set('Authorization', auth.bearer('carol'))
      .expect(200);
    expect(carol.body).toEqual({ ratings: [] });
  });
});

describe('DELETE /ratings/:movieId', () => {
  it('removes the rating (204), then answers 404 rating_not_found', async () => {
    await request(app())
      .put('/ratings/alien-1979')
      .set('Authorization', auth.bearer())
      .send({ rating: 5 })
      .expect(201);
    await request(app())
      .delete('/ratings/alien-1979')
      .set('Authorization', auth.bearer('someone-else'))
      .expect(404);
    await request(app())
      .delete('/ratings/alien-1979')
      .set('Authorization', auth.bearer())
      .expect(204);
    const again = await request(app())
      .delete('/ratings/alien-1979')
      .set('Authorization', auth.bearer())
      .expect(404);
    expect(again.body.error.code).toBe('rating_not_found');
    await request(app())
      .delete('/ratings/no-such-movie-2000')
      .set('Authorization', auth.bearer())
      .expect(404);
    const mine = await request(app())
      .get('/ratings/me')
      .set('Authorization', auth.bearer())
      .expect(200);
    expect(mine.body.ratings).toEqual([]);
  });
});

describe('token attacks', () => {
  const routes: Array<[string, string, object?]> = [
    ['get', '/ratings/me'],
    ['put', '/ratings/the-matrix-1999', { rating: 5 }],
    ['delete', '/ratings/the-matrix-1999'],
  ];

  it('answers every bad credential on every protected route with 401 and changes nothing', async () => {
    await request(app())
      .put('/ratings/the-matrix-1999')
      .set('Authorization', auth.bearer())
      .send({ rating: 3 })
      .expect(201);
    const attacks = auth.attacks();
    expect(attacks.length).toBeGreaterThan(10);
    for (const [method, path, body] of routes) {
      for (const attack of attacks) {
        let call = request(app())[method as 'get' | 'put' | 'delete'](path);
        if (attack.authorization !== undefined)
          call = call.set('Authorization', attack.authorization);
        const response = await (body ? call.send(body) : call);
        if (response.status !== 401)
          throw new Error(
            `${method.toUpperCase()} ${path} with "${attack.name}" answered ${response.status}`,
          );
        expect(response.body.error.code).toBe('unauthorized');
        expect(response.headers['www-authenticate']).toBe('Bearer');
      }
    }
    const mine = await request(app())
      .get('/ratings/me')
      .set('Authorization', auth.bearer())
      .expect(200);
    expect(mine.body.ratings.map((r: { rating: number }) => r.rating)).toEqual([3]);
  });
});
