import {
  HttpError,
  assertSafeKeys,
  parse,
  requireUser,
  userOf,
  type Logger,
  type TokenVerifier,
} from '@movies/kit';
import { Router } from 'express';
import { z } from 'zod';
import type { MovieRepository, RatingRepository } from '../storage/types';
import { movieNotFound } from './movies';
import { MOVIE_ID_PATTERN } from './movie-id';

const ratingBody = z.strictObject({
  rating: z
    .number({ error: 'must be an integer 1-5' })
    .int({ error: 'must be an integer 1-5' })
    .min(1, { error: 'must be an integer 1-5' })
    .max(5, { error: 'must be an integer 1-5' }),
});

/** The signed-in user's ratings: PUT/DELETE /ratings/:movieId and GET /ratings/me (Bearer token). */
export function ratingsRouter(deps: {
  movies: MovieRepository;
  ratings: RatingRepository;
  verifier: TokenVerifier;
  logger?: Logger;
}): Router {
  const { movies, ratings } = deps;
  const router = Router();
  router.use('/ratings', requireUser(deps.verifier, deps.logger));

  router.get('/ratings/me', async (_req, res) => {
    const mine = await ratings.listByUser(userOf(res).id);
    const titles = await movies.getMany(mine.map((rating) => rating.movieId));
    res.json({
      ratings: mine.map((rating) => {
        const movie = titles.get(rating.movieId);
        return {
          movieId: rating.movieId,
          title: movie?.title ?? null,
          year: movie?.year ?? null,
          rating: rating.rating,
          updatedAt: rating.updatedAt.toISOString(),
        };
      }),
    });
  });

  router.put('/ratings/:movieId', async (req, res) => {
    const { movieId } = req.params;
    assertSafeKeys(req.body, 'body');
    const body = parse(ratingBody, req.body, 'body');
    if (!MOVIE_ID_PATTERN.test(movieId) || !(await movies.get(movieId)))
      throw movieNotFound(movieId);
    const { rating, created } = await ratings.upsert(userOf(res).id, movieId, body.rating);
    res.status(created ? 201 : 200).json({
      movieId: rating.movieId,
      rating: rating.rating,
      updatedAt: rating.updatedAt.toISOString(),
    });
  });

  router.delete('/ratings/:movieId', async (req, res) => {
    const { movieId } = req.params;
    const removed =
      MOVIE_ID_PATTERN.test(movieId) && (await ratings.remove(userOf(res).id, movieId));
    if (!removed)
      throw new HttpError(404, 'rating_not_found', `you have not rated "${movieId.slice(0, 120)}"`);
    res.status(204).end();
  });

  return router;
}
