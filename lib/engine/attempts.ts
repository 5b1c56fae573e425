/**
 * Runs one node's task until it succeeds, fails for good or is cancelled:
 * per-attempt timeout, retries of transient errors with backoff. It records
 * and reports nothing itself; the caller is told of each attempt and retry.
 */
import { backoffDelay, retryPolicy } from './backoff.js';
import type { Clock } from './clock.js';
import { EngineError, isTransient } from './errors.js';
import type { TaskDef, TaskIO } from './task.js';

export type Outcome =
  | { kind: 'done'; output: unknown; attempts: number }
  | { kind: 'failed'; error: unknown; attempts: number }
  | { kind: 'cancelled'; error: unknown; attempts: number };

/** The scheduler's side of an attempt: one object per run, told which node each call is for. */
export interface AttemptHost<N> {
  readonly clock: Clock;
  readonly random: () => number;
  /** Aborts when the run stops (cancel or fail-fast). */
  readonly stop: AbortSignal;
  /** Calls `onStop` when the run stops; returns the unsubscribe. Cheaper than a listener per node. */
  watchStop(onStop: (reason: unknown) => void): () => void;
  onAttempt(node: N, attempt: number): void;
  onRetry(node: N, nextAttempt: number, delayMs: number, error: unknown): void;
  log(node: N, line: string): void;
}

export async function runAttempts<C, N>(
  task: TaskDef<C>,
  ctx: C,
  needs: Readonly<Record<string, unknown>>,
  ran: ReadonlySet<string>,
  node: N,
  host: AttemptHost<N>,
): Promise<Outcome> {
  const policy = retryPolicy(task.retry);
  const { clock, stop } = host;
  const log = (line: string) => host.log(node, line);
  for (let attempt = 1; ; attempt++) {
    host.onAttempt(node, attempt);
    // Without a timeout the run's own stop signal is the attempt's signal: no controller per node.
    const timer = task.timeoutMs === undefined ? undefined : new AbortController();
    const attemptCtl = timer && new AbortController();
    const signal = attemptCtl?.signal ?? stop;
    if (timer) {
      clock.sleep(task.timeoutMs!, timer.signal).then(
        () => attemptCtl!.abort(new EngineError('TIMEOUT', `${task.id} timed out after ${task.timeoutMs} ms`)),
        () => {},
      );
    }
    const io: TaskIO = { signal, attempt, log, needs, ran, clock };
    let aborted: { reason: unknown } | undefined;
    try {
      const output = await untilAborted(task, ctx, io, host.watchStop, attemptCtl, (reason) => (aborted = { reason }));
      return { kind: 'done', output, attempts: attempt };
    } catch (thrown) {
      const error = aborted ? aborted.reason : thrown;
      if (stop.aborted) return { kind: 'cancelled', error, attempts: attempt };
      const retryable = isTransient(error) || (error instanceof EngineError && error.code === 'TIMEOUT');
      if (!retryable || attempt >= policy.attempts) return { kind: 'failed', error, attempts: attempt };
      const delayMs = backoffDelay(policy, attempt, host.random);
      host.onRetry(node, attempt + 1, delayMs, error);
      try {
        await clock.sleep(delayMs, stop);
      } catch {
        return { kind: 'cancelled', error: stop.reason, attempts: attempt };
      }
    } finally {
      timer?.abort();
    }
  }
}

/**
 * The task's result, or a rejection as soon as the run stops or the attempt
 * times out, even if the task ignores its signal. A task that returns at once
 * (no promise) needs no watching.
 */
function untilAborted<C>(
  task: TaskDef<C>,
  ctx: C,
  io: TaskIO,
  watchStop: AttemptHost<unknown>['watchStop'],
  attemptCtl: AbortController | undefined,
  onAbort: (reason: unknown) => void,
): unknown {
  if (io.signal.aborted) {
    onAbort(io.signal.reason);
    throw io.signal.reason;
  }
  const result = task.run(ctx, io);
  if (!(result instanceof Promise)) return result;
  return new Promise((resolve, reject) => {
    const abort = (reason: unknown) => {
      attemptCtl?.abort(reason);
      onAbort(reason);
      reject(reason);
    };
    const unwatch = watchStop(abort);
    const onTimeout = () => abort(attemptCtl!.signal.reason);
    attemptCtl?.signal.addEventListener('abort', onTimeout, { once: true });
    const settle = () => {
      unwatch();
      attemptCtl?.signal.removeEventListener('abort', onTimeout);
    };
    result.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}
