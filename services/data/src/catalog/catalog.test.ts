import { loadCatalog } from './catalog';

describe('the shipped catalog', () => {
  const movies = loadCatalog();

  it('holds at least 200 movies with unique slug ids', () => {
    expect(movies.length).toBeGreaterThanOrEqual(200);
    expect(new Set(movies.map((movie) => movie.id)).size).toBe(movies.length);
  });

  it('has the well-known entries with their facts', () => {
    expect(movies.find((movie) => movie.id === 'the-matrix-1999')).toEqual({
      id: 'the-matrix-1999',
      title: 'The Matrix',
      year: 1999,
      genres: ['Action', 'Science Fiction'],
    });
  });

  it('covers a useful set of genres for browsing', () => {
    const genres = new Set(movies.flatMap((movie) => movie.genres));
    for (const genre of [
      'Drama',
      'Comedy',
      'Horror',
      'Science Fiction',
      'Animation',
      'Documentary',
      'Western',
    ]) {
      expect(genres).toContain(genre);
    }
  });

  it('rejects a catalog with a duplicate id or an id that does not match the year', () => {
    const matrix = { id: 'the-matrix-1999', title: 'The Matrix', year: 1999, genres: ['Action'] };
    expect(() => loadCatalog([matrix, matrix])).toThrow(/duplicate movie id the-matrix-1999/);
    expect(() => loadCatalog([{ ...matrix, year: 2000 }])).toThrow(/does not end in its year/);
    expect(() => loadCatalog([{ ...matrix, id: 'The Matrix' }])).toThrow(/slug/);
  });
});
