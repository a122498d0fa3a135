import { randomUUID } from 'node:crypto';

/** Something that can be closed, such as a database cursor. */
export interface Closable {
  close(): Promise<void>;
}

export interface HeldReadsOptions {
  /** At most this many are held; holding one more closes the oldest. */
  max: number;
  /** One not taken back within this long is closed. */
  idleMs: number;
}

/**
 * Keeps a few open reads (database cursors) between the requests of a paged read, under a random
 * id the next page's cursor carries. Taking one removes it, so two requests never share it; a
 * read that is not here (another replica, expired, evicted) is simply started again by the caller.
 */
export class HeldReads<T extends Closable> {
  private readonly held = new Map<string, { read: T; timer: NodeJS.Timeout }>();

  constructor(private readonly options: HeldReadsOptions) {}

  hold(read: T): string {
    while (this.held.size >= this.options.max) {
      const oldest = this.held.keys().next().value as string;
      this.drop(oldest);
    }
    const id = randomUUID();
    const timer = setTimeout(() => this.drop(id), this.options.idleMs);
    timer.unref();
    this.held.set(id, { read, timer });
    return id;
  }

  take(id: string): T | undefined {
    const entry = this.held.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.held.delete(id);
    return entry.read;
  }

  get size(): number {
    return this.held.size;
  }

  async closeAll(): Promise<void> {
    await Promise.all(
      [...this.held.keys()].map((id) =>
        this.take(id)!
          .close()
          .catch(() => {}),
      ),
    );
  }

  private drop(id: string): void {
    void this.take(id)
      ?.close()
      .catch(() => {});
  }
}
