interface Failures {
  count: number;
  resetAt: number;
}

export interface LoginThrottleOptions {
  maxFailures: number;
  lockoutMs: number;
  /** Bound on remembered keys, so a flood of usernames cannot exhaust memory. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * Counts failed logins per username + client IP in memory. After `maxFailures` failures within
 * `lockoutMs` the pair is refused until the window ends. The state is per process: with N
 * replicas an attacker gets up to N × maxFailures attempts per window (documented in README).
 */
export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly options: LoginThrottleOptions) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  private static key(username: string, ip: string): string {
    return `${username}\u0000${ip}`;
  }

  /** Seconds until the pair may try again, or 0 when it may try now. */
  retryAfterSeconds(username: string, ip: string): number {
    const entry = this.failures.get(LoginThrottle.key(username, ip));
    if (!entry) return 0;
    const now = this.now();
    if (now >= entry.resetAt) return 0;
    if (entry.count < this.options.maxFailures) return 0;
    return Math.max(1, Math.ceil((entry.resetAt - now) / 1000));
  }

  recordFailure(username: string, ip: string): void {
    const key = LoginThrottle.key(username, ip);
    const now = this.now();
    const entry = this.failures.get(key);
    if (!entry || now >= entry.resetAt) {
      this.failures.delete(key);
      this.failures.set(key, { count: 1, resetAt: now + this.options.lockoutMs });
      this.prune(now);
      return;
    }
    entry.count += 1;
  }

  recordSuccess(username: string, ip: string): void {
    this.failures.delete(LoginThrottle.key(username, ip));
  }

  get size(): number {
    return this.failures.size;
  }

  private prune(now: number): void {
    if (this.failures.size <= this.maxEntries) return;
    for (const [key, entry] of this.failures) {
      if (entry.resetAt <= now) this.failures.delete(key);
    }
    // Still full: forget the oldest windows first (Map keeps insertion order).
    for (const key of this.failures.keys()) {
      if (this.failures.size <= this.maxEntries) break;
      this.failures.delete(key);
    }
  }
}
