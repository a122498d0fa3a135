import { HttpError } from '@movies/kit';
import type { z } from 'zod';

/** Cursors are opaque to clients: base64url JSON of the position the next page starts after. */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor, or throws 400 naming the parameter. */
export function decodeCursor<T extends z.ZodType>(
  schema: T,
  cursor: string,
  field = 'cursor',
): z.output<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    raw = undefined;
  }
  const result = schema.safeParse(raw);
  if (!result.success)
    throw new HttpError(400, 'invalid_request', `${field}: not a cursor returned by this endpoint`);
  return result.data;
}
