import fc from 'fast-check';
import { RecommendationModel, type CatalogMovie, type RatingChange } from './model';

const catalog: CatalogMovie[] = [
  { id: 'a', title: 'Alpha', genres: ['Drama'] },
  { id: 'b', title: 'Bravo', genres: ['Drama'] },
  { id: 'c', title: 'Charlie', genres: ['Comedy'] },
  { id: 'd', title: 'Delta', genres: ['Comedy'] },
  { id: 'e', title: 'Echo', genres: ['Horror'] },
  { id: 'f', title: 'Foxtrot', genres: ['Drama', 'Horror'] },
];

const rate = (userId: string, ratings: Record<string, number>): RatingChange[] =>
  Object.entries(ratings).map(([movieId, rating]) => ({ userId, movieId, rating }));

function modelWith(...changes: RatingChange[][]): RecommendationModel {
  const model = new RecommendationModel();
  model.setCatalog(catalog);
  model.applyChanges(changes.flat());
  return model;
}

/** Same ratings per user, same counts, same similarities and neighbour lists. */
function expectSameModel(
  actual: RecommendationModel,
  expected: RecommendationModel,
  userIds: readonly string[],
  movieIds: readonly string[],
): void {
  expect(actual.stats()).toEqual(expected.stats());
  for (const userId of userIds)
    expect(actual.ratingsOf(userId)).toEqual(expected.ratingsOf(userId));
  for (const id of movieIds) {
    const a = actual.neighboursOf(id);
    const b = expected.neighboursOf(id);
    expect(a.length).toBe(b.length);
    a.forEach((neighbour, index) =>
      expect(neighbour.similarity).toBeCloseTo(b[index]!.similarity, 9),
    );
  }
}

describe('item-based similarity', () => {
  it('is the shrunk mean-centred cosine over co-raters, worked out by hand', () => {
    const model = modelWith(rate('u1', { a: 5, b: 5, c: 1 }), rate('u2', { a: 5, b: 4, c: 2 }));
    // Damped means: (2·3 + 11) / (2 + 3) = 3.4 for both users.
    // u1 deviations a 1.6, b 1.6, c -2.4; u2: a 1.6, b 0.6, c -1.4.
    const cosineAB =
      (1.6 * 1.6 + 1.6 * 0.6) / Math.sqrt((1.6 ** 2 + 1.6 ** 2) * (1.6 ** 2 + 0.6 ** 2));
    const cosineAC =
      (1.6 * -2.4 + 1.6 * -1.4) / Math.sqrt((1.6 ** 2 + 1.6 ** 2) * (2.4 ** 2 + 1.4 ** 2));
    const shrink = 2 / (2 + 5);
    expect(model.similarity('a', 'b')).toBeCloseTo(cosineAB * shrink, 10);
    expect(model.similarity('b', 'a')).toBeCloseTo(cosineAB * shrink, 10);
    expect(model.similarity('a', 'c')).toBeCloseTo(cosineAC * shrink, 10);
    expect(model.similarity('a', 'c')).toBeLessThan(0);
    expect(model.similarity('a', 'e')).toBe(0);
    expect(model.similarity('a', 'unknown')).toBe(0);
  });
});

describe('recommend', () => {
  const likers = [
    rate('u1', { a: 5, b: 5, c: 1 }),
    rate('u2', { a: 5, b: 4, c: 2 }),
    rate('u3', { a: 4, b: 5, c: 1, d: 3 }),
  ];

  it('recommends what people who liked A also liked, saying so, and keeps disliked-by-similarity items out', () => {
    const model = modelWith(...likers);
    const recommendations = model.recommend(new Map([['a', 5]]), 10);
    expect(recommendations[0]).toMatchObject({
      movieId: 'b',
      title: 'Bravo',
      kind: 'similar',
      reason: 'because you liked Alpha',
    });
    expect(recommendations[0]!.score).toBeGreaterThan(3.6);
    expect(recommendations.map((r) => r.movieId)).not.toContain('a');
    // c is rated low by everyone who liked a: negative evidence, not even as a popular pick.
    expect(recommendations.map((r) => r.movieId)).not.toContain('c');
  });

  it('names the rated movie that contributed most as the reason', () => {
    const model = modelWith(
      rate('u1', { a: 5, e: 5, b: 1 }),
      rate('u2', { a: 5, e: 4, b: 2 }),
      rate('u3', { d: 5, f: 5, b: 1 }),
      rate('u4', { d: 4, f: 5, b: 1 }),
    );
    const byId = new Map(
      model
        .recommend(
          new Map([
            ['a', 5],
            ['d', 5],
          ]),
          10,
        )
        .map((r) => [r.movieId, r]),
    );
    expect(byId.get('e')?.reason).toBe('because you liked Alpha');
    expect(byId.get('f')?.reason).toBe('because you liked Delta');
  });

  it('never returns a rated movie, respects the limit and fills up with fallbacks', () => {
    const model = modelWith(...likers);
    const rated = new Map([
      ['a', 5],
      ['b', 4],
    ]);
    for (const limit of [1, 2, 3, 50]) {
      const recommendations = model.recommend(rated, limit);
      expect(recommendations.length).toBeLessThanOrEqual(limit);
      for (const recommendation of recommendations)
        expect(rated.has(recommendation.movieId)).toBe(false);
    }
    const all = model.recommend(rated, 50);
    expect(new Set(all.map((r) => r.movieId)).size).toBe(all.length);
    // Every catalog movie that is neither rated nor argued against by similarity appears: c and d
    // are vetoed (their raters liked a and b more than them), e and f come as fallbacks.
    expect(all.map((r) => r.movieId).sort()).toEqual(['e', 'f']);
  });

  it('falls back to the damped average for a user without ratings', () => {
    const many = Array.from({ length: 20 }, (_, index) =>
      rate(`fan${index}`, { e: index % 5 === 0 ? 4 : 5 }),
    );
    const model = modelWith(...many, rate('single', { d: 5 }), rate('critic', { c: 2 }));
    const recommendations = model.recommend(new Map(), 3);
    // Mean of all ratings m = (16·5 + 4·4 + 5 + 2) / 22 = 103/22. With C = 10:
    const m = 103 / 22;
    expect(recommendations.map((r) => [r.movieId, r.kind, r.reason])).toEqual([
      ['e', 'popular', 'popular with everyone'],
      ['d', 'popular', 'popular with everyone'],
      // a, b and f have no ratings at all: score m; ties are broken by id.
      ['a', 'popular', 'popular with everyone'],
    ]);
    expect(recommendations[0]!.score).toBeCloseTo((10 * m + 96) / 30, 3);
    // One 5-star rating does not beat twenty ratings averaging 4.8.
    expect(recommendations[1]!.score).toBeCloseTo((10 * m + 5) / 11, 3);
  });

  it('prefers popular movies of a genre the user rates highly when similarity has nothing to say', () => {
    const model = modelWith(
      rate('v1', { b: 5, d: 5 }),
      rate('v2', { b: 4, d: 5 }),
      rate('v3', { f: 4 }),
    );
    // Rated a (Drama) 5 and c (Comedy) 1; nobody co-rated them, so no neighbours.
    const recommendations = model.recommend(
      new Map([
        ['a', 5],
        ['c', 1],
      ]),
      3,
    );
    expect(recommendations[0]).toMatchObject({
      movieId: 'b',
      kind: 'genre',
      reason: 'popular in Drama, a genre you rate highly',
    });
    expect(recommendations[1]).toMatchObject({ movieId: 'f', kind: 'genre' });
    // d (Comedy) is more popular than anything, but comes only as "popular with everyone".
    expect(recommendations[2]).toMatchObject({ movieId: 'd', kind: 'popular' });
  });

  it('is deterministic and independent of the order ratings arrived in', () => {
    const changes = likers.flat();
    const forward = modelWith(changes);
    const backward = modelWith([...changes].reverse());
    const user = new Map([['a', 4]]);
    expect(forward.recommend(user, 10)).toEqual(backward.recommend(user, 10));
    expect(forward.recommend(user, 10)).toEqual(forward.recommend(user, 10));
  });

  it('ignores movies missing from the catalog but still never recommends a rated one', () => {
    const model = modelWith(rate('u1', { a: 5, ghost: 5 }), rate('u2', { a: 5, ghost: 4 }));
    const recommendations = model.recommend(new Map([['a', 5]]), 10);
    expect(recommendations.map((r) => r.movieId)).not.toContain('ghost');
    expect(model.stats()).toEqual({ users: 2, ratings: 4, items: 6 });
  });
});

describe('incremental updates', () => {
  it('removes a deleted rating and a changed rating’s old value completely', () => {
    const model = modelWith(rate('u1', { a: 5, b: 5 }), rate('u2', { a: 5, b: 4, c: 1 }));
    model.applyChanges([
      { userId: 'u1', movieId: 'a', rating: null },
      { userId: 'u2', movieId: 'c', rating: 5 },
    ]);
    const fresh = modelWith(rate('u1', { b: 5 }), rate('u2', { a: 5, b: 4, c: 5 }));
    for (const [x, y] of [
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'c'],
    ] as const) {
      expect(model.similarity(x, y)).toBeCloseTo(fresh.similarity(x, y), 12);
    }
    expect(model.ratingsOf('u1')).toEqual(new Map([['b', 5]]));
    expect(model.stats()).toEqual(fresh.stats());
  });

  it('refuses a batch with a rating that is not an integer 1–5, naming it, and records none of it', () => {
    const model = modelWith(rate('u1', { a: 5 }));
    expect(() =>
      model.ingest([
        { userId: 'u2', movieId: 'b', rating: 4 },
        { userId: 'u2', movieId: 'c', rating: 4.5 },
      ]),
    ).toThrow('changes[1].rating: 4.5 is not an integer 1–5 or null');
    expect(model.stats()).toEqual({ users: 1, ratings: 1, items: 6 });
    expect(model.ratingsOf('u2')).toEqual(new Map());
  });

  it('reports no change when the same state is applied again', () => {
    const model = modelWith(...likers());
    expect(model.applyChanges(likers().flat()).changedUsers).toBe(0);
    expect(model.applyChanges([{ userId: 'u1', movieId: 'a', rating: 1 }]).changedUsers).toBe(1);
    function likers() {
      return [rate('u1', { a: 5, b: 5 }), rate('u2', { a: 4 })];
    }
  });

  it('gives the same model as a rebuild from the final state, for any sequence of changes (property)', () => {
    const change = fc.record({
      userId: fc.constantFrom('u1', 'u2', 'u3', 'u4'),
      movieId: fc.constantFrom(...catalog.map((movie) => movie.id)),
      rating: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(fc.array(change, { maxLength: 8 }), { maxLength: 6 }), (batches) => {
        const incremental = new RecommendationModel();
        incremental.setCatalog(catalog);
        const finalState = new Map<string, RatingChange>();
        for (const batch of batches) {
          incremental.applyChanges(batch);
          for (const c of batch) finalState.set(`${c.userId}/${c.movieId}`, c);
        }
        const rebuilt = new RecommendationModel();
        rebuilt.setCatalog(catalog);
        rebuilt.applyChanges([...finalState.values()]);
        for (const x of catalog) {
          for (const y of catalog) {
            expect(incremental.similarity(x.id, y.id)).toBeCloseTo(
              rebuilt.similarity(x.id, y.id),
              9,
            );
          }
        }
        const user = new Map([
          ['a', 5],
          ['c', 2],
        ]);
        expect(incremental.recommend(user, 6).map((r) => r.movieId)).toEqual(
          rebuilt.recommend(user, 6).map((r) => r.movieId),
        );
        expectSameModel(
          incremental,
          rebuilt,
          ['u1', 'u2', 'u3', 'u4'],
          catalog.map((movie) => movie.id),
        );
        // No truncation here (6 movies, 30 neighbours): the very same lists, ids included.
        for (const movie of catalog)
          expect(
            incremental
              .neighboursOf(movie.id)
              .map((n) => n.movieId)
              .sort(),
          ).toEqual(
            rebuilt
              .neighboursOf(movie.id)
              .map((n) => n.movieId)
              .sort(),
          );
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the same neighbour lists as a rebuild when lists are truncated, with many users and deletions (property)', () => {
    const movies = Array.from({ length: 12 }, (_, index) => ({
      id: `m${String(index).padStart(2, '0')}`,
      title: `Movie ${index}`,
      genres: [index % 2 === 0 ? 'Drama' : 'Comedy'],
    }));
    const userIds = Array.from({ length: 9 }, (_, index) => `user${index}`);
    const change = fc.record({
      userId: fc.constantFrom(...userIds),
      movieId: fc.constantFrom(...movies.map((movie) => movie.id)),
      rating: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null, freq: 4 }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(change, { maxLength: 25 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 3 }),
        (batches, sliceEvery) => {
          // Two neighbours of each kind: truncation decides which of many candidates stay.
          const incremental = new RecommendationModel({ neighbours: 2 });
          incremental.setCatalog(movies);
          const finalState = new Map<string, RatingChange>();
          for (const batch of batches) {
            // Page-wise ingest with refreshes in between, sometimes cut into zero-budget slices.
            incremental.ingest(batch.slice(0, sliceEvery * 5));
            incremental.ingest(batch.slice(sliceEvery * 5));
            if (sliceEvery > 0) while (!incremental.refresh(0));
            for (const c of batch) finalState.set(`${c.userId}/${c.movieId}`, c);
          }
          incremental.refresh();
          const rebuilt = new RecommendationModel({ neighbours: 2 });
          rebuilt.setCatalog(movies);
          rebuilt.applyChanges([...finalState.values()]);
          for (const movie of movies) {
            const strengths = (model: RecommendationModel) =>
              model.neighboursOf(movie.id).map((n) => Math.round(n.similarity * 1e9));
            // Mathematically tied candidates may differ in the last bits (summation order), so
            // compare the kept strengths; where there is no tie, the ids must agree as well.
            expect(strengths(incremental)).toEqual(strengths(rebuilt));
          }
          expectSameModel(
            incremental,
            rebuilt,
            userIds,
            movies.map((movie) => movie.id),
          );
          // And the lists are the strongest two of each sign by similarity(), ties by id.
          for (const movie of movies) {
            const scored = movies
              .filter((other) => other.id !== movie.id)
              .map((other) => ({
                movieId: other.id,
                similarity: rebuilt.similarity(movie.id, other.id),
              }))
              .sort(
                (a, b) =>
                  Math.abs(b.similarity) - Math.abs(a.similarity) ||
                  (a.movieId < b.movieId ? -1 : 1),
              );
            const expected = [
              ...scored.filter((n) => n.similarity > 1e-9).slice(0, 2),
              ...scored.filter((n) => n.similarity < -1e-9).slice(0, 2),
            ];
            expect(rebuilt.neighboursOf(movie.id)).toEqual(expected);
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('can refresh in slices; recommendations in between use the lists as they are', () => {
    const model = modelWith(rate('u1', { a: 5, b: 5, c: 1 }), rate('u2', { a: 5, b: 4, c: 2 }));
    const before = model.recommend(new Map([['a', 5]]), 3);
    model.ingest(rate('u3', { a: 5, d: 5, e: 5 }));
    expect(model.refresh(0)).toBe(false);
    expect(model.recommend(new Map([['a', 5]]), 3)).toHaveLength(3);
    let slices = 1;
    while (!model.refresh(0)) slices += 1;
    expect(slices).toBeGreaterThan(1);
    const after = model.recommend(new Map([['a', 5]]), 3);
    expect(after).not.toEqual(before);
    const rebuilt = modelWith(
      rate('u1', { a: 5, b: 5, c: 1 }),
      rate('u2', { a: 5, b: 4, c: 2 }),
      rate('u3', { a: 5, d: 5, e: 5 }),
    );
    expect(after).toEqual(rebuilt.recommend(new Map([['a', 5]]), 3));
  });

  it('handles movies added to the catalog later', () => {
    const model = new RecommendationModel();
    const big = Array.from({ length: 150 }, (_, index) => ({
      id: `m${String(index).padStart(3, '0')}`,
      title: `Movie ${index}`,
      genres: ['Drama'],
    }));
    model.setCatalog(big.slice(0, 10));
    model.applyChanges([
      ...rate('u1', { m000: 5, m001: 5, m002: 1 }),
      ...rate('u2', { m000: 5, m001: 4, m002: 1 }),
    ]);
    const before = model.similarity('m000', 'm001');
    model.setCatalog(big);
    model.applyChanges([
      ...rate('u3', { m149: 5, m148: 5, m000: 1 }),
      ...rate('u4', { m149: 5, m148: 4, m000: 2 }),
    ]);
    expect(model.similarity('m000', 'm001')).toBeCloseTo(before, 12);
    expect(model.similarity('m148', 'm149')).toBeGreaterThan(0);
    expect(model.recommend(new Map([['m149', 5]]), 1)[0]).toMatchObject({
      movieId: 'm148',
      reason: 'because you liked Movie 149',
    });
  });
});
