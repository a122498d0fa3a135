import request from 'supertest';
import { useDataService } from '../__fixtures__/harness';
import { loadCatalog } from '../catalog/catalog';

const harness = useDataService({ fresh: 'file' });
const app = () => harness.app();

const catalog = loadCatalog();

describe('GET /movies', () => {
  it('returns 20 movies by default in a stable order with an opaque cursor', async () => {
    const response = await request(app()).get('/movies').expect(200);
    expect(response.body.movies).toHaveLength(20);
    expect(response.body.movies[0]).toEqual({
      id: '12-angry-men-1957',
      title: '12 Angry Men',
      year: 1957,
      genres: ['Drama'],
    });
    expect(typeof response.body.nextCursor).toBe('string');
    expect(response.body.nextCursor).not.toContain('12-angry');
  });

  it('pages through the whole catalog exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response: request.Response = await request(app())
        .get('/movies')
        .query({ limit: 100, ...(cursor ? { cursor } : {}) })
        .expect(200);
      seen.push(...response.body.movies.map((movie: { id: string }) => movie.id));
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(catalog.map((movie) => movie.id).sort());
  });

  it('searches titles case-insensitively, treating pattern characters literally', async () => {
    const ids = async (query: Record<string, string>) =>
      (await request(app()).get('/movies').query(query).expect(200)).body.movies.map(
        (movie: { id: string }) => movie.id,
      );
    expect(await ids({ q: 'the MATRIX' })).toEqual(['the-matrix-1999']);
    expect(await ids({ q: 'airplane!' })).toEqual(['airplane-1980']);
    expect(await ids({ q: '.*' })).toEqual([]);
    expect(await ids({ q: '(' })).toEqual([]);
    expect(await ids({ q: 'Mr. F' })).toEqual(['fantastic-mr-fox-2009']);
    expect(await ids({ q: '', limit: '3' })).toHaveLength(3);
  });

  it('filters by genre, alone or with a search', async () => {
    const response = await request(app())
      .get('/movies')
      .query({ genre: 'Western', limit: 100 })
      .expect(200);
    const expected = catalog
      .filter((movie) => movie.genres.includes('Western'))
      .map((movie) => movie.id)
      .sort();
    expect(response.body.movies.map((movie: { id: string }) => movie.id)).toEqual(expected);
    const both = await request(app())
      .get('/movies')
      .query({ genre: 'Animation', q: 'toy' })
      .expect(200);
    expect(both.body.movies.map((movie: { id: string }) => movie.id)).toEqual([
      'toy-story-1995',
      'toy-story-3-2010',
    ]);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=5&limit=6', 'limit'],
    ['q=a&q=b', 'q'],
    ['q[$gt]=', 'q[$gt]'],
    ['genre[$ne]=Drama', 'genre[$ne]'],
    ['cursor=not-a-cursor', 'cursor'],
    ['cursor=eyJhZnRlciI6eyIkZ3QiOiIifX0', 'cursor'],
    ['sort=title', 'sort'],
  ])('rejects ?%s with a 400 naming %s', async (query, field) => {
    const response = await request(app()).get(`/movies?${query}`).expect(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(response.body.error.message).toContain(field);
    expect(typeof response.body.error.requestId).toBe('string');
  });
});

describe('GET /movies/:id', () => {
  it('returns one movie', async () => {
    const response = await request(app()).get('/movies/spirited-away-2001').expect(200);
    expect(response.body).toEqual({
      id: 'spirited-away-2001',
      title: 'Spirited Away',
      year: 2001,
      genres: ['Adventure', 'Animation', 'Family', 'Fantasy'],
    });
  });

  it.each(['no-such-movie-2000', 'The-Matrix-1999', '%24gt', 'a'.repeat(300)])(
    'answers 404 movie_not_found for %s',
    async (id) => {
      const response = await request(app()).get(`/movies/${id}`).expect(404);
      expect(response.body.error.code).toBe('movie_not_found');
    },
  );
});

describe('GET /genres', () => {
  it('lists the distinct genres sorted', async () => {
    const response = await request(app()).get('/genres').expect(200);
    expect(response.body.genres).toEqual(
      [...new Set(catalog.flatMap((movie) => movie.genres))].sort(),
    );
  });
});
