/**
 * The audit log: one JSON object per line for every allow/deny decision (a
 * CONNECT, a plain HTTP request, each request of an inspected tunnel),
 * appended through a rotating file (rotating-file.ts), so recording never
 * blocks a request, lines stay whole and in order, and the log stays under
 * about (keep + 1) x maxBytes on disk. Every string in an entry is cut to a
 * fixed length first, so a line stays short whatever the client sent. It
 * creates the file's directory. It does not decide anything or throw after it
 * is open: a write or rotation that fails later is passed to `onError` and
 * the request goes on.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditConfig } from './config.js';
import { DEFAULT_AUDIT } from './config.js';
import type { RotatingFile } from './rotating-file.js';
import { openRotatingFile } from './rotating-file.js';

export type Decision = 'allow' | 'deny';

export interface AuditEntry {
  /** `CONNECT`, `GET`, `POST`, ... */
  readonly method: string;
  /** The target host; for a malformed target, the raw target as received (cut to 255 characters). */
  readonly host: string;
  /** The target port; null when the target could not be parsed. */
  readonly port: number | null;
  readonly decision: Decision;
  /** The status sent to the client; 0 if the client left before one was sent. */
  readonly status: number;
  /** Why, when it was not a plain success: the deny reason or the upstream error (cut to 200 characters). */
  readonly reason?: string;
  /** The address connected to, for an allowed target. */
  readonly address?: string;
  /** On a CONNECT: the tunnel is inspected (TLS terminated, each request a line of its own). */
  readonly inspect?: boolean;
  /** On an inspected request: its path without the query string (cut to 200 characters). */
  readonly path?: string;
  /** The policy field that decided (`methods`, `paths.deny`, `denyHosts`, `secret-in-request`, ...). */
  readonly rule?: string;
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
  /** Told of a write or rotation that failed after the log was opened. */
  onError?: (error: Error) => void;
  /** Rotation; DEFAULT_AUDIT when not given. */
  rotation?: AuditConfig;
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
  let file: RotatingFile;
  try {
    file = await openRotatingFile(path, { ...(options.rotation ?? DEFAULT_AUDIT), onError: options.onError ?? (() => undefined) });
  } catch (error) {
    throw new AuditLogError(`Cannot open the audit log ${path}: ${(error as Error).message}`, error);
  }
  let closed = false;

  return {
    path,
    record(entry) {
      if (closed) return;
      file.write(`${JSON.stringify({ ts: now().toISOString(), ...bounded(entry) })}\n`);
    },
    async close() {
      if (closed) return;
      closed = true;
      await file.close();
    },
  };
}

/** The most characters a string field keeps; a malformed 16 KB target must not make a 16 KB line. */
const MAX_CHARS: Partial<Record<keyof AuditEntry, number>> = { host: 255, reason: 200, path: 200 };
const OTHER_MAX_CHARS = 64;

function bounded(entry: AuditEntry): AuditEntry {
  const fields = Object.entries(entry).map(([key, value]) => {
    const max = MAX_CHARS[key as keyof AuditEntry] ?? OTHER_MAX_CHARS;
    return [key, typeof value === 'string' && value.length > max ? `${value.slice(0, max)}…(${value.length - max} more characters)` : value];
  });
  return Object.fromEntries(fields) as unknown as AuditEntry;
}
