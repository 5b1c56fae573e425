/**
 * One Engine API call, sent again when what failed may pass (failures.ts):
 * a few quick retries at the call itself, so a busy or restarting engine
 * costs a second, not a task's attempt (the engine retries tasks too, but a
 * task makes dozens of calls: at 30% of calls failing, retrying only whole
 * tasks would rarely get one through).
 *
 * - `busy` and `dropped`: up to `attempts` sends, 100 ms doubling with
 *   jitter (about 2.5 s in all).
 * - `unreachable`: the same, or, when the call's engine has answered before
 *   in this process, for up to `restartWaitMs`: an engine that answered and
 *   now refuses is restarting. One never reached fails after the quick retries,
 *   so a stopped Docker is said at once.
 * - `permanent` and `cancelled`: thrown at once.
 *
 * Only a call that may be sent twice is retried whole (`resend: 'yes'`): a
 * read, a remove, a create whose second send finds its first (the caller
 * handles the conflict), an upload of the same bytes. `'if-unsent'` (a
 * hijacked exec start: running it twice runs the command twice) is sent
 * again only when no connection was made; `'no'` (a body that is a stream,
 * consumed by the first send) never. The signal stops the waiting. It
 * words no error (client.ts does).
 */
import { realClock, type Clock } from '../engine/index.js';
import { failureOf, type Failure } from './failures.js';

export type Resend = 'yes' | 'if-unsent' | 'no';

export interface CallRetryPolicy {
  /** Sends in all, the first included, for busy and dropped (and unreachable before the engine first answered). */
  attempts: number;
  baseMs: number;
  capMs: number;
  /** How long an engine that answered before may refuse connections (a restart) before the call fails. */
  restartWaitMs: number;
}

export const CALL_RETRY: CallRetryPolicy = { attempts: 6, baseMs: 100, capMs: 1_000, restartWaitMs: 20_000 };

export interface RetryOptions {
  signal?: AbortSignal;
  resend?: Resend;
  /** Whether the call's engine has answered a call of this process before (then refusal means a restart). */
  answeredBefore?: () => boolean;
  policy?: CallRetryPolicy;
  clock?: Clock;
  /** In [0, 1): the jitter. */
  random?: () => number;
  /** Told of each retry, before its delay. */
  onRetry?: (retry: { failure: Failure; attempt: number; delayMs: number; error: unknown }) => void;
}

export async function withRetries<T>(send: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { signal, resend = 'yes', policy = CALL_RETRY, clock = realClock, random = Math.random } = options;
  const started = clock.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const failure = failureOf(error);
      if (!mayResend(failure, resend) || signal?.aborted) throw error;
      const restarting = failure === 'unreachable' && (options.answeredBefore?.() ?? false) && clock.now() - started < policy.restartWaitMs;
      if (attempt >= policy.attempts && !restarting) throw error;
      const delayMs = delayBefore(attempt + 1, policy, random);
      options.onRetry?.({ failure, attempt: attempt + 1, delayMs, error });
      try {
        await clock.sleep(delayMs, signal);
      } catch {
        // Aborted while waiting: Docker's failure says more than the abort (the caller's signal tells the rest).
        throw error;
      }
    }
  }
}

function mayResend(failure: Failure, resend: Resend): boolean {
  if (failure === 'permanent' || failure === 'cancelled' || resend === 'no') return false;
  return resend === 'yes' || failure === 'unreachable';
}

/** 100, 200, 400, 800, 1000 ... ms, each with up to half drawn away at random, so calls that failed together do not retry together. */
export function delayBefore(attempt: number, policy: CallRetryPolicy, random: () => number): number {
  const full = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 2));
  return Math.round(full / 2 + (full / 2) * random());
}
