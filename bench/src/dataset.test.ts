import { datasetFingerprint, generateDataset, seededRandom } from './dataset';

describe('benchmark dataset', () => {
  const small = { users: 300, movies: 200, ratings: 6000 };

  it('is reproducible from its seed and differs with another seed', () => {
    const a = generateDataset({ ...small, seed: 7 });
    const b = generateDataset({ ...small, seed: 7 });
    const c = generateDataset({ ...small, seed: 8 });
    expect(datasetFingerprint(a)).toBe(datasetFingerprint(b));
    expect(datasetFingerprint(a)).not.toBe(datasetFingerprint(c));
  });

  it('has exactly the requested sizes and one rating per user and movie', () => {
    const data = generateDataset({ ...small, seed: 1 });
    expect(data.users).toHaveLength(300);
    expect(data.movies).toHaveLength(200);
    expect(data.ratings).toHaveLength(6000);
    const pairs = new Set(data.ratings.map((r) => `${r.userId}/${r.movieId}`));
    expect(pairs.size).toBe(6000);
    expect(new Set(data.movies.map((m) => m.id)).size).toBe(200);
    for (const r of data.ratings) {
      expect(Number.isInteger(r.rating) && r.rating >= 1 && r.rating <= 5).toBe(true);
    }
  });

  it('looks like real rating data: skewed popularity, every rating value used', () => {
    const data = generateDataset({ ...small, seed: 3 });
    const perMovie = new Map<string, number>();
    for (const r of data.ratings) perMovie.set(r.movieId, (perMovie.get(r.movieId) ?? 0) + 1);
    const counts = [...perMovie.values()].sort((x, y) => y - x);
    const top10 = counts.slice(0, 20).reduce((s, v) => s + v, 0);
    expect(top10 / data.ratings.length).toBeGreaterThan(0.15);
    expect(new Set(data.ratings.map((r) => r.rating))).toEqual(new Set([1, 2, 3, 4, 5]));
  });

  it('puts the given catalog first', () => {
    const catalog = [
      { id: 'the-matrix-1999', title: 'The Matrix', year: 1999, genres: ['Action'] },
    ];
    const data = generateDataset({ ...small, seed: 1, catalog });
    expect(data.movies[0]).toEqual(catalog[0]);
  });

  it('rejects impossible sizes with the field name', () => {
    expect(() => generateDataset({ users: 2, movies: 2, ratings: 5 })).toThrow(
      /^ratings: 5 is more than/,
    );
  });

  it('seeded random numbers stay in [0, 1)', () => {
    const random = seededRandom(99);
    for (let i = 0; i < 1000; i += 1) {
      const value = random();
      expect(value >= 0 && value < 1).toBe(true);
    }
  });
});
