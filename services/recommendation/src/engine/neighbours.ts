import { grown } from './compact';

/**
 * Keeps the k strongest neighbours offered (by |similarity|, ties by movie id), strongest first,
 * in preallocated typed arrays: offering allocates nothing, and a candidate weaker than the
 * k-th kept one is rejected with one comparison. Ties compare `idOrder[item]` (the item's
 * position in movie id order) rather than the ids: many candidates tie (every pair co-rated by a
 * single user has similarity ±1/6).
 */
export class StrongestNeighbours {
  readonly items: Int32Array;
  readonly similarities: Float64Array;
  length = 0;
  private idOrder: Int32Array = new Int32Array(0);

  constructor(readonly k: number) {
    this.items = new Int32Array(k);
    this.similarities = new Float64Array(k);
  }

  /** Empties the selection; `idOrder`: item index → rank of its movie id among all ids. */
  clear(idOrder: Int32Array): void {
    this.length = 0;
    this.idOrder = idOrder;
  }

  /** |similarity| of the weakest kept neighbour once k are kept (else 0): the bar to enter. */
  weakest(): number {
    return this.length === this.k ? Math.abs(this.similarities[this.k - 1]!) : 0;
  }

  offer(item: number, similarity: number): void {
    const strength = Math.abs(similarity);
    const { items, similarities, k } = this;
    if (this.length === k && !this.before(strength, item, k - 1)) return;
    // Insertion into a short sorted array (k is small).
    let index = this.length < k ? this.length : k - 1;
    while (index > 0 && this.before(strength, item, index - 1)) {
      items[index] = items[index - 1]!;
      similarities[index] = similarities[index - 1]!;
      index -= 1;
    }
    items[index] = item;
    similarities[index] = similarity;
    if (this.length < k) this.length += 1;
  }

  /** Whether (strength, item) ranks before the kept entry at `index`. */
  private before(strength: number, item: number, index: number): boolean {
    const difference = strength - Math.abs(this.similarities[index]!);
    return (
      difference > 0 ||
      (difference === 0 && this.idOrder[item]! < this.idOrder[this.items[index]!]!)
    );
  }
}

/**
 * Every item's neighbour list in two flat arrays with a fixed stride (the similar neighbours
 * first, strongest first, then the dissimilar ones): no object per neighbour.
 */
export class NeighbourTable {
  items = new Int32Array(0);
  similarities = new Float64Array(0);
  private counts = new Int32Array(0);

  constructor(readonly stride: number) {}

  /** Index of the item's first neighbour in `items` / `similarities`. */
  start(item: number): number {
    return item * this.stride;
  }

  count(item: number): number {
    return item < this.counts.length ? this.counts[item]! : 0;
  }

  /** Makes room for `items` lists at once (exactly: set() alone grows by doubling). */
  reserve(items: number): void {
    if (this.counts.length >= items) return;
    const exact = <T extends Int32Array | Float64Array>(array: T, length: number): T => {
      const next = new (array.constructor as new (size: number) => T)(length);
      next.set(array.subarray(0, Math.min(array.length, length)));
      return next;
    };
    this.counts = exact(this.counts, items);
    this.items = exact(this.items, items * this.stride);
    this.similarities = exact(this.similarities, items * this.stride);
  }

  /** Replaces an item's list with the kept entries of `similar` then `dissimilar`. */
  set(item: number, similar: StrongestNeighbours, dissimilar: StrongestNeighbours): void {
    const total = similar.length + dissimilar.length;
    if (total > this.stride)
      throw new RangeError(`${total} neighbours exceed the stride ${this.stride}`);
    this.counts = grown(this.counts, item + 1);
    this.items = grown(this.items, (item + 1) * this.stride);
    this.similarities = grown(this.similarities, (item + 1) * this.stride);
    const start = item * this.stride;
    this.items.set(similar.items.subarray(0, similar.length), start);
    this.similarities.set(similar.similarities.subarray(0, similar.length), start);
    this.items.set(dissimilar.items.subarray(0, dissimilar.length), start + similar.length);
    this.similarities.set(
      dissimilar.similarities.subarray(0, dissimilar.length),
      start + similar.length,
    );
    this.counts[item] = total;
  }
}
