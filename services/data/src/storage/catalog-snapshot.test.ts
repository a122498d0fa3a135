import { catalogSnapshot } from './catalog-snapshot';
import { createMemoryStorage } from './memory';
import type { Movie, MovieRepository } from './types';

const movie = (n: number): Movie => ({
  id: `movie-${String(n).padStart(4, '0')}`,
  title: `Movie ${n}`,
  year: 1950 + (n % 70),
  genres: n % 2 ? ['Drama'] : ['Comedy', 'Drama'],
});

/** A repository that counts the calls reaching it. */
function counted(inner: MovieRepository) {
  const calls: string[] = [];
  const repository: MovieRepository = {
    seed: (movies) => (calls.push('seed'), inner.seed(movies)),
    list: (query) => (calls.push('list'), inner.list(query)),
    get: (id) => (calls.push('get'), inner.get(id)),
    getMany: (ids) => (calls.push('getMany'), inner.getMany(ids)),
    genres: () => (calls.push('genres'), inner.genres()),
  };
  return { repository, calls };
}

describe('catalogSnapshot', () => {
  it('answers like its source, from memory, however many pages the source has', async () => {
    const source = createMemoryStorage().movies;
    const catalog = Array.from({ length: 2500 }, (_, i) => movie(i));
    await source.seed(catalog);
    const { repository, calls } = counted(source);
    const snapshot = await catalogSnapshot(repository);
    expect(calls.filter((call) => call === 'list')).toHaveLength(3);
    calls.length = 0;

    expect(await snapshot.get('movie-0042')).toEqual(await source.get('movie-0042'));
    expect(await snapshot.get('nope')).toBeNull();
    const query = { limit: 20, afterId: 'movie-0100', genre: 'Comedy', q: 'movie 1' };
    expect(await snapshot.list(query)).toEqual(await source.list(query));
    expect(await snapshot.genres()).toEqual(['Comedy', 'Drama']);
    expect([...(await snapshot.getMany(['movie-0001', 'x'])).keys()]).toEqual(['movie-0001']);
    expect(calls).toEqual([]);
  });

  it('writes a seed through to the source and then serves the new catalog', async () => {
    const source = createMemoryStorage().movies;
    await source.seed([movie(1)]);
    const snapshot = await catalogSnapshot(source);
    expect(await snapshot.get('movie-0002')).toBeNull();
    await snapshot.seed([movie(2)]);
    expect(await source.get('movie-0002')).toEqual(movie(2));
    expect(await snapshot.get('movie-0002')).toEqual(movie(2));
  });

  it('hands out copies: a caller changing an answer changes nothing kept', async () => {
    const source = createMemoryStorage().movies;
    await source.seed([movie(1)]);
    const snapshot = await catalogSnapshot(source);
    const answer = (await snapshot.get('movie-0001')) as Movie;
    answer.genres.push('Horror');
    expect((await snapshot.get('movie-0001'))?.genres).toEqual(['Drama']);
  });
});
