import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  let clock = 0;
  const throttle = () =>
    new LoginThrottle({ maxFailures: 3, lockoutMs: 60_000, now: () => clock, maxEntries: 5 });
  beforeEach(() => {
    clock = 1_000_000;
  });

  it('blocks a username + IP after the maximum failures until the window ends', () => {
    const limiter = throttle();
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSeconds('ana', '10.0.0.1')).toBe(0);
      limiter.recordFailure('ana', '10.0.0.1');
    }
    expect(limiter.retryAfterSeconds('ana', '10.0.0.1')).toBe(60);
    clock += 59_500;
    expect(limiter.retryAfterSeconds('ana', '10.0.0.1')).toBe(1);
    clock += 500;
    expect(limiter.retryAfterSeconds('ana', '10.0.0.1')).toBe(0);
  });

  it('keeps other IPs and other usernames apart', () => {
    const limiter = throttle();
    for (let i = 0; i < 3; i++) limiter.recordFailure('ana', '10.0.0.1');
    expect(limiter.retryAfterSeconds('ana', '10.0.0.2')).toBe(0);
    expect(limiter.retryAfterSeconds('bob', '10.0.0.1')).toBe(0);
  });

  it('forgets failures after a success', () => {
    const limiter = throttle();
    limiter.recordFailure('ana', 'ip');
    limiter.recordFailure('ana', 'ip');
    limiter.recordSuccess('ana', 'ip');
    limiter.recordFailure('ana', 'ip');
    limiter.recordFailure('ana', 'ip');
    expect(limiter.retryAfterSeconds('ana', 'ip')).toBe(0);
  });

  it('stays within its entry bound', () => {
    const limiter = throttle();
    for (let i = 0; i < 50; i++) limiter.recordFailure(`user${i}`, 'ip');
    expect(limiter.size).toBeLessThanOrEqual(5);
    expect(limiter.retryAfterSeconds('user49', 'ip')).toBe(0);
  });
});
