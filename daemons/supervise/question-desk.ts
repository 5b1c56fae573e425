/**
 * Questions the agent waits on. `ask` records the question, then waits for
 * whichever comes first: its answer (handed over by `answer`, from the answer
 * feed), its deadline, the caller's signal (the call was cancelled or its
 * connection dropped) or `close`. The first ends the wait; the others find
 * nothing left to do. A question that ends without an answer is marked
 * expired in the log, with why. It does not read answers.jsonl
 * (answer-feed.ts) nor speak MCP (tools.ts).
 */
import type { AnswerLine, ExpiryReason } from './format.js';
import type { MessageLog } from './message-log.js';

export type AskOutcome =
  | { readonly kind: 'answered'; readonly id: string; readonly text: string }
  | { readonly kind: 'expired'; readonly id: string; readonly reason: ExpiryReason };

export interface Question {
  readonly text: string;
  readonly options?: readonly string[];
}

export interface QuestionDesk {
  /** Resolves with the answer, or with why none came; rejects only when the question could not be recorded. */
  ask(question: Question, signal?: AbortSignal): Promise<AskOutcome>;
  /** An answer line from answers.jsonl: releases the wait on its question, if one is waiting. */
  answer(answer: AnswerLine): void;
  /** How many questions are waiting now. */
  readonly waiting: number;
  /** Ends every wait as 'stopped', waits for their expired lines, and refuses new questions. */
  close(): Promise<void>;
}

export interface QuestionDeskOptions {
  /** How long a question waits for its answer. */
  timeoutMs: number;
  /** At most this many questions wait at once; DEFAULT_MAX_WAITING when not given. */
  maxWaiting?: number;
  now?: () => Date;
  /** Told when an expired line cannot be written (the agent is still told no answer came). */
  onError?: (error: Error) => void;
}

export const DEFAULT_MAX_WAITING = 100;

/** A question that cannot be asked now; the message says why and what to do. */
export class QuestionDeskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuestionDeskError';
  }
}

type End = { readonly kind: 'answered'; readonly text: string } | { readonly kind: 'expired'; readonly reason: ExpiryReason };

export function createQuestionDesk(log: MessageLog, options: QuestionDeskOptions): QuestionDesk {
  const now = options.now ?? (() => new Date());
  const maxWaiting = options.maxWaiting ?? DEFAULT_MAX_WAITING;
  /** The waiting questions by id, each with what ends its wait. */
  const waiters = new Map<string, (end: End) => void>();
  const asking = new Set<Promise<unknown>>();
  let closed = false;

  /** Ends the wait on `id` unless something else ended it first. */
  const finish = (id: string, end: End): void => {
    const settle = waiters.get(id);
    if (!settle) return;
    waiters.delete(id);
    settle(end);
  };
  const expire = async (id: string, reason: ExpiryReason): Promise<void> => {
    try {
      await log.expire(id, reason);
    } catch (error) {
      options.onError?.(error as Error);
    }
  };

  const wait = async (question: Question, signal: AbortSignal | undefined): Promise<AskOutcome> => {
    let settle: (end: End) => void = () => undefined;
    const ended = new Promise<End>((resolve) => {
      settle = resolve;
    });
    const expiresAt = new Date(now().getTime() + options.timeoutMs).toISOString();
    let id = '';
    try {
      // The wait is in place before the line is written, so no answer can come before it.
      await log.add({ kind: 'question', text: question.text, options: question.options, expiresAt }, (given) => {
        id = given;
        if (closed) settle({ kind: 'expired', reason: 'stopped' });
        else waiters.set(id, settle);
      });
    } catch (error) {
      waiters.delete(id);
      throw error;
    }
    const timer = setTimeout(() => finish(id, { kind: 'expired', reason: 'timeout' }), options.timeoutMs);
    const onAbort = (): void => finish(id, { kind: 'expired', reason: 'cancelled' });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    try {
      const end = await ended;
      if (end.kind === 'expired') await expire(id, end.reason);
      return { ...end, id };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  };

  return {
    ask(question, signal) {
      if (closed) return Promise.reject(new QuestionDeskError('The supervise daemon is stopping; no question can be asked now. Go on with your best judgement.'));
      if (waiters.size >= maxWaiting) {
        return Promise.reject(
          new QuestionDeskError(`As many questions as may wait at once (${maxWaiting}) already wait for answers; wait for one of them before asking another.`),
        );
      }
      const asked = wait(question, signal);
      asking.add(asked);
      void asked.catch(() => undefined).finally(() => asking.delete(asked));
      return asked;
    },
    answer(answer) {
      finish(answer.id, { kind: 'answered', text: answer.text });
    },
    get waiting() {
      return waiters.size;
    },
    async close() {
      closed = true;
      for (const id of [...waiters.keys()]) finish(id, { kind: 'expired', reason: 'stopped' });
      await Promise.allSettled([...asking]);
    },
  };
}
