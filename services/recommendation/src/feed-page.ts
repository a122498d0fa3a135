import type { RatingChange } from './engine/model';

export interface FeedChange extends RatingChange {
  updatedAtMs: number;
}

export interface FeedPage {
  changes: FeedChange[];
  nextCursor: string | null;
  hasMore: boolean;
}

/** A change feed page that is not what data's contract says; the message names the field. */
export class FeedPageError extends Error {}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks one page of `GET /internal/ratings` and converts it in the same pass. A hand-written
 * check rather than a zod schema: the first load reads every rating there is (200,000 changes
 * in the benchmark), and one plain loop costs a fraction of a schema walk that copies every
 * entry. Throws FeedPageError naming the first offending field, e.g.
 * `changes[17].rating: expected an integer 1–5 or null`.
 */
export function parseFeedPage(body: unknown): FeedPage {
  if (!isObject(body)) throw new FeedPageError('expected an object');
  const { changes, nextCursor, hasMore } = body;
  if (!Array.isArray(changes)) throw new FeedPageError('changes: expected an array');
  if (nextCursor !== null && typeof nextCursor !== 'string')
    throw new FeedPageError('nextCursor: expected a string or null');
  if (typeof hasMore !== 'boolean') throw new FeedPageError('hasMore: expected a boolean');
  const parsed: FeedChange[] = new Array<FeedChange>(changes.length);
  for (let index = 0; index < changes.length; index += 1) {
    const change: unknown = changes[index];
    const at = `changes[${index}]`;
    if (!isObject(change)) throw new FeedPageError(`${at}: expected an object`);
    const { userId, movieId, rating, deleted, updatedAt } = change;
    if (typeof userId !== 'string' || userId.length === 0)
      throw new FeedPageError(`${at}.userId: expected a non-empty string`);
    if (typeof movieId !== 'string' || movieId.length === 0)
      throw new FeedPageError(`${at}.movieId: expected a non-empty string`);
    if (
      rating !== null &&
      !(typeof rating === 'number' && Number.isInteger(rating) && rating >= 1 && rating <= 5)
    )
      throw new FeedPageError(`${at}.rating: expected an integer 1–5 or null`);
    if (typeof deleted !== 'boolean') throw new FeedPageError(`${at}.deleted: expected a boolean`);
    if (!deleted && rating === null)
      throw new FeedPageError(`${at}.rating: null on a change that is not a deletion`);
    const updatedAtMs = typeof updatedAt === 'string' ? Date.parse(updatedAt) : Number.NaN;
    if (!Number.isFinite(updatedAtMs))
      throw new FeedPageError(`${at}.updatedAt: expected an ISO 8601 time`);
    parsed[index] = { userId, movieId, rating: deleted ? null : rating, updatedAtMs };
  }
  return { changes: parsed, nextCursor, hasMore };
}
