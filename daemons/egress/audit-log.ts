/**
 * The audit log: one JSON object per line for every allow/deny decision,
 * appended to a file through one write stream, so recording never blocks a
 * request and lines stay whole and in order. It creates the file's directory.
 * It does not decide anything, rotate the file, or throw after it is open: a
 * write that fails later is passed to `onError` and the request goes on.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';

export type Decision = 'allow' | 'deny';

export interface AuditEntry {
  /** `CONNECT`, `GET`, `POST`, ... */
  readonly method: string;
  /** The target host; for a malformed target, the raw target as received. */
  readonly host: string;
  /** The target port; null when the target could not be parsed. */
  readonly port: number | null;
  readonly decision: Decision;
  /** The status sent to the client; 0 if the client left before one was sent. */
  readonly status: number;
  /** Why, when it was not a plain success: the deny reason or the upstream error. */
  readonly reason?: string;
}

/** What the proxy records decisions to; tests may pass their own. */
export interface AuditSink {
  record(entry: AuditEntry): void;
}

export interface AuditLog extends AuditSink {
  readonly path: string;
  /** Writes what is buffered, then closes the file. Entries recorded afterwards are dropped. */
  close(): Promise<void>;
}

export interface AuditLogOptions {
  now?: () => Date;
  /** Told of a write that failed after the log was opened. */
  onError?: (error: Error) => void;
}

export class AuditLogError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'AuditLogError';
  }
}

/** Opens (appends to) the log at `path`, creating its directory; fails if the file cannot be opened. */
export async function openAuditLog(path: string, options: AuditLogOptions = {}): Promise<AuditLog> {
  const now = options.now ?? (() => new Date());
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (error) {
    throw new AuditLogError(`Cannot create the directory of the audit log ${path}: ${(error as Error).message}`, error);
  }
  const stream = createWriteStream(path, { flags: 'a', mode: 0o640 });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error) =>
      reject(new AuditLogError(`Cannot open the audit log ${path}: ${error.message}`, error)),
    );
  });
  stream.on('error', (error) => options.onError?.(error));
  let closed = false;

  return {
    path,
    record(entry) {
      if (closed) return;
      // One write per line: the stream keeps writes whole and in order.
      stream.write(`${JSON.stringify({ ts: now().toISOString(), ...entry })}\n`);
    },
    async close() {
      if (closed) return;
      closed = true;
      stream.end();
      // A write error was already reported through onError; closing still succeeds.
      await finished(stream).catch(() => undefined);
    },
  };
}
