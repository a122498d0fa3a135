/**
 * GitHub Actions' concurrency groups, as GitHub documents them: in a group at most one run (or
 * job) is running and at most one is pending. A new arrival cancels the pending one (always) and
 * the running one too when it sets `cancel-in-progress: true`; otherwise it waits as the new
 * pending one. When the running one finishes, the pending one starts.
 */

export type RunState = 'running' | 'pending' | 'cancelled' | 'completed';

export interface QueuedRun<T = unknown> {
  id: number;
  group: string;
  cancelInProgress: boolean;
  state: RunState;
  /** What the run is (its event, commit, inputs): the tests' own data. */
  data: T;
  /** How it ended: `completed` runs carry the conclusion given to `complete`. */
  conclusion?: string;
}

export class ConcurrencyGroups<T = unknown> {
  private nextId = 1;
  readonly runs: Array<QueuedRun<T>> = [];

  /** A run (or job) enters `group`; returns it in the state GitHub would put it in. */
  enqueue(group: string, data: T, options: { cancelInProgress?: boolean } = {}): QueuedRun<T> {
    const cancelInProgress = options.cancelInProgress ?? false;
    const inGroup = this.runs.filter((run) => run.group === group);
    for (const pending of inGroup.filter((run) => run.state === 'pending'))
      pending.state = 'cancelled';
    const running = inGroup.find((run) => run.state === 'running');
    if (running && cancelInProgress) running.state = 'cancelled';
    const run: QueuedRun<T> = {
      id: this.nextId++,
      group,
      cancelInProgress,
      state: running && !cancelInProgress ? 'pending' : 'running',
      data,
    };
    this.runs.push(run);
    return run;
  }

  /** The running run of `group` finishes; the pending one (if any) starts and is returned. */
  complete(id: number, conclusion = 'success'): QueuedRun<T> | undefined {
    const run = this.runs.find((candidate) => candidate.id === id);
    if (!run) throw new Error(`no run ${id}`);
    if (run.state !== 'running')
      throw new Error(`run ${id} is ${run.state}: only a running run can complete`);
    run.state = 'completed';
    run.conclusion = conclusion;
    const next = this.runs.find(
      (candidate) => candidate.group === run.group && candidate.state === 'pending',
    );
    if (next) next.state = 'running';
    return next;
  }

  running(group: string): QueuedRun<T> | undefined {
    return this.runs.find((run) => run.group === group && run.state === 'running');
  }

  pending(group: string): QueuedRun<T> | undefined {
    return this.runs.find((run) => run.group === group && run.state === 'pending');
  }
}
