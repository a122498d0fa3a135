import { z } from 'zod';
import type { Movie } from '../storage/types';
import rawCatalog from './movies.json';

const movieSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*-\d{4}$/, 'a slug ending in the year'),
  title: z.string().min(1),
  year: z.number().int().min(1880).max(2100),
  genres: z.array(z.string().min(1)).min(1),
});

/** The catalog shipped with the service (services/data/src/catalog/movies.json), validated. */
export function loadCatalog(raw: unknown = rawCatalog): Movie[] {
  const movies = z.array(movieSchema).parse(raw);
  const seen = new Set<string>();
  for (const movie of movies) {
    if (seen.has(movie.id)) throw new Error(`catalog: duplicate movie id ${movie.id}`);
    seen.add(movie.id);
    if (!movie.id.endsWith(`-${movie.year}`))
      throw new Error(`catalog: id ${movie.id} does not end in its year`);
  }
  return movies;
}
