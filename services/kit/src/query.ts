import { z } from 'zod';

/**
 * Query-string values for zod schemas used with `parse(schema, req.query, 'query')`: plain
 * strings only. A repeated parameter (an array) or a nested shape fails validation, so nothing
 * but a string reaches a database query.
 */
export const queryString = (max: number) =>
  z.string({ error: 'must be a single string value' }).max(max);

/** An integer query parameter written in decimal digits, within [min, max]. */
export const queryInt = (min: number, max: number) => {
  const error = `must be an integer ${min}-${max}`;
  return z
    .string({ error })
    .regex(/^\d{1,9}$/, { error })
    .transform(Number)
    .pipe(z.number().int().min(min, { error }).max(max, { error }));
};
