import fc from 'fast-check';
import {
  Interner,
  MAX_PACKED_INDEX,
  findPacked,
  grown,
  isRating,
  pack,
  packedIndex,
  packedRating,
} from './compact';

describe('packed ratings', () => {
  it('round-trip any index and rating, and sort by index (property)', () => {
    const entry = fc.record({
      index: fc.integer({ min: 0, max: MAX_PACKED_INDEX }),
      rating: fc.integer({ min: 1, max: 5 }),
    });
    fc.assert(
      fc.property(entry, entry, (a, b) => {
        const packedA = pack(a.index, a.rating);
        expect(packedA).toBeGreaterThanOrEqual(0);
        expect([packedIndex(packedA), packedRating(packedA)]).toEqual([a.index, a.rating]);
        if (a.index < b.index) expect(packedA).toBeLessThan(pack(b.index, b.rating));
      }),
    );
  });

  it('are found by binary search exactly where a linear scan finds them (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 10 }),
        (indices, wanted, slack) => {
          const sorted = [...indices].sort((a, b) => a - b);
          // Capacity beyond the length holds garbage that must be ignored.
          const list = new Int32Array(sorted.length + slack).fill(pack(wanted, 3));
          sorted.forEach((index, at) => (list[at] = pack(index, 1 + (index % 5))));
          const at = findPacked(list, sorted.length, wanted);
          const expected = sorted.indexOf(wanted);
          if (expected >= 0) expect(at).toBe(expected);
          else {
            const insertion = sorted.filter((index) => index < wanted).length;
            expect(at).toBe(-insertion - 1);
          }
        },
      ),
    );
  });

  it('accept only integers 1–5 as ratings', () => {
    expect([1, 2, 3, 4, 5].every(isRating)).toBe(true);
    for (const bad of [0, 6, 2.5, Number.NaN, '3', null, undefined])
      expect(isRating(bad)).toBe(false);
  });
});

describe('grown', () => {
  it('returns the same array when it is long enough, else a longer copy filled as asked', () => {
    const small = Int32Array.from([1, 2, 3]);
    expect(grown(small, 3)).toBe(small);
    const bigger = grown(small, 4, -1);
    expect(bigger.length).toBeGreaterThanOrEqual(16);
    expect([...bigger.subarray(0, 5)]).toEqual([1, 2, 3, -1, -1]);
    expect(grown(new Float64Array(100), 101).length).toBe(200);
  });
});

describe('Interner', () => {
  it('gives dense indices in first-seen order and calls back once per new id', () => {
    const added: number[] = [];
    const interner = new Interner('movies');
    expect(
      ['b', 'a', 'b', 'c', 'a'].map((id) => interner.intern(id, (i) => added.push(i))),
    ).toEqual([0, 1, 0, 2, 1]);
    expect(added).toEqual([0, 1, 2]);
    expect(interner.ids).toEqual(['b', 'a', 'c']);
    expect(interner.get('c')).toBe(2);
    expect(interner.get('zzz')).toBeUndefined();
  });
});
