import { HttpError, parse, queryInt, queryString } from '@movies/kit';
import { Router } from 'express';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../cursor';
import type { MovieRepository } from '../storage/types';
import { MOVIE_ID_PATTERN } from './movie-id';

const listQuery = z.strictObject({
  q: queryString(100)
    .transform((value) => value.trim())
    .optional(),
  genre: queryString(50).optional(),
  limit: queryInt(1, 100).default(20),
  cursor: queryString(500).optional(),
});

const movieCursor = z.strictObject({ after: z.string().regex(MOVIE_ID_PATTERN) });

export function movieNotFound(id: string): HttpError {
  return new HttpError(404, 'movie_not_found', `no movie with id "${id.slice(0, 120)}"`);
}

/** Public catalog routes: GET /movies, GET /movies/:id, GET /genres (no token needed). */
export function moviesRouter(movies: MovieRepository): Router {
  const router = Router();

  router.get('/movies', async (req, res) => {
    const query = parse(listQuery, req.query, 'query');
    const afterId =
      query.cursor === undefined ? undefined : decodeCursor(movieCursor, query.cursor).after;
    const page = await movies.list({
      q: query.q === '' ? undefined : query.q,
      genre: query.genre === '' ? undefined : query.genre,
      limit: query.limit,
      afterId,
    });
    const last = page.movies.at(-1);
    res.json({
      movies: page.movies,
      nextCursor: page.hasMore && last ? encodeCursor({ after: last.id }) : null,
    });
  });

  router.get('/movies/:id', async (req, res) => {
    const id = req.params.id;
    const movie = MOVIE_ID_PATTERN.test(id) ? await movies.get(id) : null;
    if (!movie) throw movieNotFound(id);
    res.json(movie);
  });

  router.get('/genres', async (_req, res) => {
    res.json({ genres: await movies.genres() });
  });

  return router;
}
