import { toMoviePage, toMyRatings, toRecommendations } from './models';

describe('reading API answers', () => {
  it('reads a movie page and its next cursor, dropping entries without id or title', () => {
    const page = toMoviePage({
      items: [
        { id: 'the-matrix-1999', title: 'The Matrix', year: 1999, genres: ['Action', 7] },
        { id: 'x' },
      ],
      nextCursor: 'abc',
    });
    expect(page).toEqual({
      movies: [{ id: 'the-matrix-1999', title: 'The Matrix', year: 1999, genres: ['Action'] }],
      nextCursor: 'abc',
    });
    expect(toMoviePage({ items: [] }).nextCursor).toBeUndefined();
  });

  it('reads ratings with or without the movie embedded', () => {
    expect(
      toMyRatings({
        items: [
          { movieId: 'a-2000', rating: 4 },
          { movie: { id: 'b-2001', title: 'B' }, rating: 2 },
          { movieId: 'c', rating: 'x' },
        ],
      }),
    ).toEqual([
      { movieId: 'a-2000', rating: 4, title: undefined, year: undefined },
      { movieId: 'b-2001', rating: 2, title: 'B', year: undefined },
    ]);
  });

  it('reads recommendations from a bare array', () => {
    expect(
      toRecommendations([
        { movieId: 'a-2000', title: 'A', score: 0.9, reason: 'Because you liked B' },
      ]),
    ).toEqual([{ movieId: 'a-2000', title: 'A', score: 0.9, reason: 'Because you liked B' }]);
  });
});
