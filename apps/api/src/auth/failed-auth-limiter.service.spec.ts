import { testAppConfig } from '@agentq/testing';
import { FailedAuthLimiter } from './failed-auth-limiter.service';

describe('FailedAuthLimiter', () => {
  const config = testAppConfig('postgres://x@localhost/x', 'p', {
    AUTH_FAILURE_LIMIT: '3',
    AUTH_FAILURE_WINDOW_SECONDS: '60',
  });

  it('blocks an address after the limit until its window ends', () => {
    const limiter = new FailedAuthLimiter(config);
    for (let i = 0; i < 3; i += 1) limiter.recordFailure('10.0.0.1', 1_000);
    expect(limiter.blockedForSeconds('10.0.0.1', 1_000)).toBe(60);
    expect(limiter.blockedForSeconds('10.0.0.1', 31_000)).toBe(30);
    expect(limiter.blockedForSeconds('10.0.0.2', 1_000)).toBe(0);
    expect(limiter.blockedForSeconds('10.0.0.1', 61_000)).toBe(0);
  });

  it('starts a fresh window after the old one ends', () => {
    const limiter = new FailedAuthLimiter(config);
    limiter.recordFailure('a', 0);
    limiter.recordFailure('a', 0);
    limiter.recordFailure('a', 70_000);
    expect(limiter.blockedForSeconds('a', 70_000)).toBe(0);
  });

  it('answers every failure past the limit as blocked, however many run at once', () => {
    const limiter = new FailedAuthLimiter(config);
    // 20 requests passed the first check together; their failures are counted one by one.
    const outcomes = Array.from({ length: 20 }, () => limiter.recordFailure('b', 5_000));
    expect(outcomes.filter((blockedFor) => blockedFor === 0)).toHaveLength(3);
    expect(outcomes.slice(3).every((blockedFor) => blockedFor === 60)).toBe(true);
  });
});
