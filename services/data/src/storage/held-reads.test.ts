import { HeldReads } from './held-reads';

class FakeRead {
  closed = 0;
  async close() {
    this.closed += 1;
  }
}

describe('HeldReads', () => {
  it('hands a held read back exactly once', () => {
    const reads = new HeldReads<FakeRead>({ max: 4, idleMs: 60_000 });
    const read = new FakeRead();
    const id = reads.hold(read);
    expect(reads.take(id)).toBe(read);
    expect(reads.take(id)).toBeUndefined();
    expect(reads.take('unknown')).toBeUndefined();
    expect(read.closed).toBe(0);
  });

  it('closes the oldest read beyond the limit', () => {
    const reads = new HeldReads<FakeRead>({ max: 2, idleMs: 60_000 });
    const [first, second, third] = [new FakeRead(), new FakeRead(), new FakeRead()];
    const firstId = reads.hold(first);
    const secondId = reads.hold(second);
    const thirdId = reads.hold(third);
    expect(first.closed).toBe(1);
    expect(reads.take(firstId)).toBeUndefined();
    expect(reads.take(secondId)).toBe(second);
    expect(reads.take(thirdId)).toBe(third);
  });

  it('closes a read nobody takes back in time, and all on closeAll', async () => {
    jest.useFakeTimers();
    try {
      const reads = new HeldReads<FakeRead>({ max: 4, idleMs: 1000 });
      const idle = new FakeRead();
      const idleId = reads.hold(idle);
      jest.advanceTimersByTime(999);
      expect(idle.closed).toBe(0);
      jest.advanceTimersByTime(1);
      expect(idle.closed).toBe(1);
      expect(reads.take(idleId)).toBeUndefined();
      const open = new FakeRead();
      reads.hold(open);
      await reads.closeAll();
      expect(open.closed).toBe(1);
      expect(reads.size).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
