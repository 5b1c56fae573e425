/**
 * The pre-receive hook's time limit: started once per push, it aborts its
 * `signal` when the limit passes (git commands given it are killed) and
 * `check()` throws a TimeLimitError from then on. It does not interrupt
 * synchronous code by itself (timed-regex.ts does that for regexes).
 */

export class TimeLimitError extends Error {
  readonly limitMs: number;

  constructor(limitMs: number, cause?: unknown) {
    super(`the push checks did not finish within ${limitMs} ms`, cause === undefined ? undefined : { cause });
    this.name = 'TimeLimitError';
    this.limitMs = limitMs;
  }
}

export interface Deadline {
  readonly limitMs: number;
  /** Aborted when the limit passes. */
  readonly signal: AbortSignal;
  readonly isExpired: boolean;
  /** Milliseconds left, 0 once expired. */
  remainingMs(): number;
  /** Throws a TimeLimitError once the limit has passed. */
  check(): void;
  /** Stops the timer (the checks are done); the deadline no longer expires. */
  stop(): void;
}

export function startDeadline(limitMs: number, now: () => number = Date.now): Deadline {
  const end = now() + limitMs;
  const controller = new AbortController();
  const expire = (): void => controller.abort(new TimeLimitError(limitMs));
  const timer = setTimeout(expire, limitMs);
  const remainingMs = (): number => Math.max(0, end - now());
  return {
    limitMs,
    signal: controller.signal,
    get isExpired() {
      if (!controller.signal.aborted && remainingMs() === 0) expire();
      return controller.signal.aborted;
    },
    remainingMs,
    check() {
      if (this.isExpired) throw new TimeLimitError(limitMs);
    },
    stop: () => clearTimeout(timer),
  };
}
