/**
 * Retry delays: exponential growth from `baseMs`, capped at `capMs`, with a
 * `jitter` fraction of each delay drawn at random so that many bottles retrying
 * the same daemon do not retry in step.
 */
import { DEFAULT_RETRY, type RetryPolicy } from './task.js';

const cache = new WeakMap<Partial<RetryPolicy>, RetryPolicy>();

/** The task's policy over the defaults; computed once per declaration, not per node. */
export function retryPolicy(partial: Partial<RetryPolicy> | undefined): RetryPolicy {
  if (!partial) return DEFAULT_RETRY;
  let policy = cache.get(partial);
  if (!policy) cache.set(partial, (policy = { ...DEFAULT_RETRY, ...partial }));
  return policy;
}

/** Delay before attempt `attempt + 1`, after `attempt` failed (attempt >= 1). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  const exponential = Math.min(policy.capMs, policy.baseMs * policy.factor ** (attempt - 1));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(exponential * (1 - jitter) + exponential * jitter * random());
}
