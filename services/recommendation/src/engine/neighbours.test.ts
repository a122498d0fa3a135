import fc from 'fast-check';
import { NeighbourTable, StrongestNeighbours } from './neighbours';

describe('StrongestNeighbours', () => {
  it('keeps what sorting every offer by |similarity| then id would keep (property)', () => {
    const ids = Array.from(
      { length: 50 },
      (_, index) => `movie-${String(49 - index).padStart(2, '0')}`,
    );
    // Rank by id: item i has id movie-(49-i), so a higher index ranks first on a tie.
    const idOrder = Int32Array.from(ids.map((id) => [...ids].sort().indexOf(id)));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 49 }), { maxLength: 50 }),
        // Few distinct strengths, so ties are common.
        fc.array(fc.constantFrom(0.1, 0.25, -0.25, 0.5, -0.9), { minLength: 50, maxLength: 50 }),
        (k, items, similarities) => {
          const strongest = new StrongestNeighbours(k);
          strongest.clear(idOrder);
          for (const item of items) strongest.offer(item, similarities[item]!);
          const expected = [...items]
            .sort(
              (a, b) =>
                Math.abs(similarities[b]!) - Math.abs(similarities[a]!) ||
                (ids[a]! < ids[b]! ? -1 : 1),
            )
            .slice(0, k);
          expect([...strongest.items.subarray(0, strongest.length)]).toEqual(expected);
          expect(strongest.weakest()).toBe(
            expected.length === k ? Math.abs(similarities[expected[k - 1]!]!) : 0,
          );
        },
      ),
    );
  });
});

describe('NeighbourTable', () => {
  it('stores each list at its own stride, similar first, and replaces lists in place', () => {
    const idOrder = Int32Array.from([0, 1, 2, 3, 4, 5]);
    const similar = new StrongestNeighbours(2);
    const dissimilar = new StrongestNeighbours(2);
    const table = new NeighbourTable(4);
    const fill = (item: number, offers: Array<[number, number]>) => {
      similar.clear(idOrder);
      dissimilar.clear(idOrder);
      for (const [other, similarity] of offers)
        (similarity > 0 ? similar : dissimilar).offer(other, similarity);
      table.set(item, similar, dissimilar);
    };
    const listOf = (item: number) =>
      Array.from({ length: table.count(item) }, (_, offset) => [
        table.items[table.start(item) + offset],
        table.similarities[table.start(item) + offset],
      ]);
    fill(5, [
      [1, 0.2],
      [2, -0.7],
      [3, 0.9],
      [4, 0.1],
    ]);
    fill(0, [[1, 0.3]]);
    expect(listOf(5)).toEqual([
      [3, 0.9],
      [1, 0.2],
      [2, -0.7],
    ]);
    expect(listOf(0)).toEqual([[1, 0.3]]);
    expect(table.count(3)).toBe(0);
    expect(table.count(99)).toBe(0);
    fill(5, [[2, 0.4]]);
    expect(listOf(5)).toEqual([[2, 0.4]]);
  });
});
