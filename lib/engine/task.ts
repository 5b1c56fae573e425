/**
 * How a task is declared. A task knows its inputs (fingerprint), how to probe
 * that its effect still exists (isDone) and how to do its work (run). It does
 * not know about other tasks beyond the ids it needs, nor about scheduling.
 */
import type { Clock } from './clock.js';

export type Scope = 'bottle' | 'run';

export interface RetryPolicy {
  /** Total attempts, the first included. 1 means never retry. */
  attempts: number;
  /** Delay before the second attempt. */
  baseMs: number;
  /** Growth of the delay per attempt. */
  factor: number;
  /** Upper bound of any one delay. */
  capMs: number;
  /** Fraction of the delay that is randomised away (0: none, 1: full jitter). */
  jitter: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseMs: 500, factor: 2, capMs: 10_000, jitter: 0.5 };

export interface TaskIO {
  /** Aborted on timeout, cancellation or fail-fast; hand it to every child process. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** One line of what the task's commands printed; goes to the log file and events. */
  log(line: string): void;
  /** Outputs of the tasks in `needs`, from this run or recorded by an earlier one. */
  readonly needs: Readonly<Record<string, unknown>>;
  /** Ids of the needs that ran in this run (their output is fresh), not up to date or read from records. */
  readonly ran: ReadonlySet<string>;
  /** The engine's clock, for tasks that poll. */
  readonly clock: Clock;
}

export interface TaskDef<C = unknown, O = unknown> {
  readonly id: string;
  readonly title: string;
  /** One line saying what it does, for people reading the graph (`bottle graph`). */
  readonly summary?: string;
  readonly needs?: readonly string[];
  /** `bottle`: once per item (default); `run`: once per run, shared by all items. */
  readonly scope?: Scope;
  readonly retry?: Partial<RetryPolicy>;
  /** Per attempt; the attempt's signal aborts when it passes. */
  readonly timeoutMs?: number;
  /** Named resource limits this task holds while running (e.g. `docker-run`). */
  readonly resources?: readonly string[];
  /** The task's inputs. Equal fingerprints (and equal upstream) mean nothing changed. */
  fingerprint?(ctx: C): unknown | Promise<unknown>;
  /** A cheap probe that the recorded effect still exists. */
  isDone?(ctx: C, output: O, signal: AbortSignal): boolean | Promise<boolean>;
  run(ctx: C, io: TaskIO): O | Promise<O>;
}

/** Identity helper that keeps a task's context and output types. */
export function defineTask<C, O>(task: TaskDef<C, O>): TaskDef<C, O> {
  return task;
}
