/**
 * Compact storage helpers for the model: a rating packed with the index of what was rated into
 * one 32-bit integer, and typed arrays that grow by doubling. A JS Map entry costs tens of bytes;
 * a packed rating costs four.
 */

const RATING_BITS = 3;
const RATING_MASK = (1 << RATING_BITS) - 1;
/** Largest index a packed rating can carry (2^28 − 1: far beyond any catalog or user count). */
export const MAX_PACKED_INDEX = (1 << (31 - RATING_BITS)) - 1;

/** `index` (an item or a user) and a rating 1–5 in one non-negative int32. */
export function pack(index: number, rating: number): number {
  return (index << RATING_BITS) | rating;
}

export function packedIndex(packed: number): number {
  return packed >>> RATING_BITS;
}

export function packedRating(packed: number): number {
  return packed & RATING_MASK;
}

/** Whether `rating` is a rating the model can hold (an integer 1–5). */
export function isRating(rating: unknown): rating is number {
  return typeof rating === 'number' && Number.isInteger(rating) && rating >= 1 && rating <= 5;
}

/**
 * Position of the packed entry for `index` in a list sorted by index (packing keeps index order),
 * or -(insertion point) − 1 when absent.
 */
export function findPacked(list: Int32Array, length: number, index: number): number {
  let low = 0;
  let high = length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const found = packedIndex(list[middle]!);
    if (found < index) low = middle + 1;
    else if (found > index) high = middle - 1;
    else return middle;
  }
  return -low - 1;
}

type GrowableArray = Int32Array | Float64Array | Uint8Array;

/** `array` itself when it holds `length` elements, else a copy at least twice as long. */
export function grown<T extends GrowableArray>(array: T, length: number, fill = 0): T {
  if (array.length >= length) return array;
  const next = new (array.constructor as new (size: number) => T)(
    Math.max(16, length, array.length * 2),
  );
  next.set(array);
  if (fill !== 0) next.fill(fill, array.length);
  return next;
}

/** Strings interned to dense indices 0, 1, 2, … (at most MAX_PACKED_INDEX + 1 of them). */
export class Interner {
  readonly ids: string[] = [];
  private readonly indices = new Map<string, number>();

  constructor(private readonly what: string) {}

  get(id: string): number | undefined {
    return this.indices.get(id);
  }

  /** The index of `id`; a new id gets the next index and `added(index)` is called. */
  intern(id: string, added?: (index: number) => void): number {
    const known = this.indices.get(id);
    if (known !== undefined) return known;
    const index = this.ids.length;
    if (index > MAX_PACKED_INDEX)
      throw new RangeError(`more than ${MAX_PACKED_INDEX + 1} ${this.what}`);
    this.ids.push(id);
    this.indices.set(id, index);
    added?.(index);
    return index;
  }
}
