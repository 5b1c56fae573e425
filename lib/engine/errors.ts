/**
 * Errors of the engine's domain. A task marks an error as transient to have it
 * retried; anything else (a bad input) fails the node at once.
 */
export type EngineErrorCode =
  | 'GRAPH_INVALID'
  | 'NEEDS_NOT_DONE'
  | 'UNKNOWN_TARGET'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'TASK_FAILED'
  | 'RECORD_FAILED'
  | 'BAD_OPTIONS';

export interface TaskErrorOptions {
  /** A stable, machine-readable code, e.g. `DOCKER_UNAVAILABLE`. */
  code?: string;
  /** Retry this error (network blips, a busy daemon); never set for bad input. */
  transient?: boolean;
  cause?: unknown;
}

/** What a task throws to say how its failure should be handled. */
export class TaskError extends Error {
  readonly code: string;
  readonly transient: boolean;

  constructor(message: string, options: TaskErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TaskError';
    this.code = options.code ?? 'TASK_FAILED';
    this.transient = options.transient ?? false;
  }
}

/** A failure of the engine itself or of how it was called (bad graph, bad target). */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  /** Each problem found, one sentence each (e.g. every cycle of a graph). */
  readonly problems: readonly string[];

  constructor(code: EngineErrorCode, message: string, problems: readonly string[] = [], cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'EngineError';
    this.code = code;
    this.problems = problems;
  }
}

/** The serialisable form of an error, as records and events carry it. */
export interface ErrorInfo {
  message: string;
  code: string;
  transient: boolean;
}

export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof TaskError || error instanceof EngineError) {
    return { message: error.message, code: error.code, transient: error instanceof TaskError && error.transient };
  }
  if (error instanceof Error) {
    const code: unknown = (error as Error & { code?: unknown }).code;
    return { message: error.message, code: typeof code === 'string' ? code : 'ERROR', transient: false };
  }
  return { message: String(error), code: 'ERROR', transient: false };
}

export function isTransient(error: unknown): boolean {
  return error instanceof TaskError && error.transient;
}
