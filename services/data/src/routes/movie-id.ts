import { z } from 'zod';

/**
 * Query-string values: plain strings only. A repeated parameter (an array) or any other shape
 * fails validation, so nothing but a string ever reaches a database query.
 */
export const queryString = (max: number) =>
  z.string({ error: 'must be a single string value' }).max(max);

/** An integer query parameter written in decimal digits, within [min, max]. */
export const queryInt = (min: number, max: number) =>
  z
    .string({ error: `must be an integer ${min}-${max}` })
    .regex(/^\d{1,9}$/, { error: `must be an integer ${min}-${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `must be an integer ${min}-${max}` })
        .max(max, { error: `must be an integer ${min}-${max}` }),
    );

/** Movie ids are slugs (`the-matrix-1999`). */
export const MOVIE_ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
