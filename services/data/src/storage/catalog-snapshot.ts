import { createMemoryStorage } from './memory';
import type { Movie, MovieRepository } from './types';

const PAGE = 1000;

async function readAll(source: MovieRepository): Promise<Movie[]> {
  const movies: Movie[] = [];
  let afterId: string | undefined;
  for (;;) {
    const page = await source.list({ limit: PAGE, afterId });
    movies.push(...page.movies);
    const last = page.movies.at(-1);
    if (!page.hasMore || !last) return movies;
    afterId = last.id;
  }
}

/**
 * The catalog as this replica read it from `source` at start. The catalog changes only when a
 * replica seeds it at start (a deploy with a new catalog), so reads are served from memory and
 * never reach the database; seed() writes through and reads the catalog again. During a rollout
 * that changes the catalog, replicas of the previous version keep the catalog they started with.
 */
export async function catalogSnapshot(source: MovieRepository): Promise<MovieRepository> {
  let snapshot = createMemoryStorage().movies;
  const load = async () => {
    const fresh = createMemoryStorage().movies;
    await fresh.seed(await readAll(source));
    snapshot = fresh;
  };
  await load();
  return {
    async seed(movies) {
      await source.seed(movies);
      await load();
    },
    list: (query) => snapshot.list(query),
    get: (id) => snapshot.get(id),
    getMany: (ids) => snapshot.getMany(ids),
    genres: () => snapshot.genres(),
  };
}
