/**
 * The git gate's audit log: one JSON object per line, `ts` first, shared by
 * the daemon (one `request` entry per HTTP request, through a stream kept
 * open) and the pre-receive hook (one `push` entry per decision, appended by
 * a process of its own). Each line is written with a single append, so lines
 * from the two stay whole. Strings a client chose are cut to a fixed length.
 * It creates the file's directory; it does not rotate the file (a bottle's
 * pushes and fetches make few lines) nor decide anything.
 */
import { createWriteStream } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Refusal } from './push-policy.js';
import type { RefUpdate } from './ref-updates.js';
import type { GitService } from './routes.js';

export interface RequestEntry {
  readonly kind: 'request';
  readonly method: string;
  /** The request's path and query, cut to 200 characters. */
  readonly path: string;
  /** null for a request that is not a git service (health, not served). */
  readonly service: GitService | null;
  /** The status sent; 0 if the client left before one was. */
  readonly status: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly remote?: string;
  /** Why, when it was not a plain success. */
  readonly reason?: string;
}

export interface PushEntry {
  readonly kind: 'push';
  readonly decision: 'accepted' | 'refused';
  readonly updates: readonly RefUpdate[];
  readonly refusals: readonly Refusal[];
}

export type AuditEntry = RequestEntry | PushEntry;

export interface AuditLog {
  readonly path: string;
  record(entry: AuditEntry): void;
  /** Writes what is buffered, then closes the file; later entries are dropped. */
  close(): Promise<void>;
}

export class AuditLogError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'AuditLogError';
  }
}

const MAX_PATH_CHARS = 200;
const MAX_REASON_CHARS = 300;

/** The entry's line, newline included. */
export function auditLine(entry: AuditEntry, now: Date): string {
  const bounded = entry.kind === 'request' ? { ...entry, path: cut(entry.path, MAX_PATH_CHARS), ...(entry.reason ? { reason: cut(entry.reason, MAX_REASON_CHARS) } : {}) } : entry;
  return `${JSON.stringify({ ts: now.toISOString(), ...bounded })}\n`;
}

/** Appends one entry (the hook: one decision per process); rejects with an AuditLogError naming the path. */
export async function appendAuditEntry(path: string, entry: AuditEntry, now: Date = new Date()): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await appendFile(path, auditLine(entry, now), { mode: 0o640 });
  } catch (error) {
    throw new AuditLogError(`Cannot write the audit log ${path}: ${(error as Error).message}`, error);
  }
}

export interface AuditLogOptions {
  readonly now?: () => Date;
  /** Told of a write that failed after the log was opened; the request goes on. */
  readonly onError?: (error: Error) => void;
}

/** Opens (appends to) the log for the daemon, creating its directory; rejects naming the path. */
export async function openAuditLog(path: string, options: AuditLogOptions = {}): Promise<AuditLog> {
  const now = options.now ?? (() => new Date());
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (error) {
    throw new AuditLogError(`Cannot create the directory of the audit log ${path}: ${(error as Error).message}`, error);
  }
  const stream = createWriteStream(path, { flags: 'a', mode: 0o640 });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (error) {
    stream.destroy();
    throw new AuditLogError(`Cannot open the audit log ${path}: ${(error as Error).message}`, error);
  }
  stream.on('error', options.onError ?? (() => undefined));
  let closed = false;
  return {
    path,
    record(entry) {
      if (!closed) stream.write(auditLine(entry, now()));
    },
    async close() {
      if (closed) return;
      closed = true;
      stream.end();
      await finished(stream).catch(() => undefined);
    },
  };
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…(${text.length - max} more characters)` : text;
}
