/**
 * The one error of the host side of supervise: a bottle's supervise files
 * cannot be read, or an answer cannot be recorded. `code` says which, for a
 * caller that words its own message or picks an exit code; the message names
 * the file or the question, and what to do.
 */

export type InboxErrorCode =
  /** No message of the bottle has that id. */
  | 'unknown-id'
  /** The id is a progress report or a summary: only questions take answers. */
  | 'not-a-question'
  /** The question has an answer already: the first one counts. */
  | 'already-answered'
  | 'empty-answer'
  | 'answer-too-long'
  /** A file of the bottle is a link, a FIFO, a directory...: it is not read. */
  | 'not-a-file'
  /** A file of the bottle is past MAX_FILE_BYTES: it is not read. */
  | 'too-big'
  /** The file system refused (permissions, I/O). */
  | 'io-failed';

export class InboxError extends Error {
  readonly code: InboxErrorCode;

  constructor(code: InboxErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'InboxError';
    this.code = code;
  }
}
