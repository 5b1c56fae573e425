/**
 * The one error class of lib/state: a bad key, a locked bottle, a record that
 * cannot be read. It carries a stable code and keeps the underlying `cause`.
 * It does not format anything for the terminal; bin/ decides how to show it.
 * Also reads the code of the Node system errors that lib/state handles.
 */
export type StateErrorCode = 'BAD_KEY' | 'LOCKED' | 'CORRUPT_RECORD';

export class StateError extends Error {
  readonly code: StateErrorCode;

  constructor(code: StateErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'StateError';
    this.code = code;
  }
}

/** The `code` of a Node system error (`ENOENT`, `EEXIST`...), if it has one. */
export function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
