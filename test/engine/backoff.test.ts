import { describe, expect, it } from 'vitest';
import { backoffDelay, retryPolicy } from '../../lib/engine/backoff.js';

describe('backoffDelay', () => {
  const policy = retryPolicy({ baseMs: 100, factor: 2, capMs: 1000, jitter: 0 });

  it('grows exponentially from the base', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(policy, a, () => 0.5))).toEqual([100, 200, 400, 800]);
  });

  it('never exceeds the cap', () => {
    expect(backoffDelay(policy, 10, () => 0.99)).toBe(1000);
  });

  it('draws the jitter fraction at random within [delay*(1-jitter), delay]', () => {
    const jittery = retryPolicy({ baseMs: 1000, factor: 2, capMs: 60_000, jitter: 0.5 });
    expect(backoffDelay(jittery, 1, () => 0)).toBe(500);
    expect(backoffDelay(jittery, 1, () => 0.999)).toBe(1000);
    expect(backoffDelay(jittery, 2, () => 0.5)).toBe(1500);
  });

  it('defaults to three attempts', () => {
    expect(retryPolicy(undefined).attempts).toBe(3);
  });
});
