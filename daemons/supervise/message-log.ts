/**
 * messages.jsonl as the daemon writes it: one line per message, each written
 * whole by one append, one at a time and in id order. On open it reads the
 * file to carry on the ids where the last run stopped; a torn last line (a
 * crash mid-write) is skipped, and the next line starts after a newline so it
 * cannot be glued to it. Past MAX_FILE_BYTES it refuses to append (the host
 * would refuse to read the file). It does not wait for answers or decide
 * when a question expires (question-desk.ts does).
 */
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { DoneLine, ExpiredLine, ExpiryReason, ProgressLine, QuestionLine } from './format.js';
import { FORMAT_VERSION, MAX_FILE_BYTES, MESSAGES_FILE, formatLine, parseMessageLine } from './format.js';
import { readRecords } from './lines.js';

export type NewMessage =
  | { readonly kind: 'progress' | 'done'; readonly text: string }
  | { readonly kind: 'question'; readonly text: string; readonly options?: readonly string[]; readonly expiresAt: string };

export type WrittenMessage = ProgressLine | QuestionLine | DoneLine;

export interface MessageLog {
  readonly path: string;
  /**
   * Appends `message` with the next id; resolves once it is written.
   * `onId` is told the id just before the write, so what waits on it is
   * in place before anyone can read the line.
   */
  add(message: NewMessage, onId?: (id: string) => void): Promise<WrittenMessage>;
  /** Appends that the question `id` is no longer awaited. */
  expire(id: string, reason: ExpiryReason): Promise<ExpiredLine>;
  /** Waits for the appends under way, then closes the file; later appends fail. */
  close(): Promise<void>;
}

export interface MessageLogOptions {
  now?: () => Date;
  /** The most bytes the file may reach; MAX_FILE_BYTES when not given (tests pass less). */
  maxBytes?: number;
}

/** The log cannot be opened, or a message cannot be appended; the message says which file and why. */
export class MessageLogError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'MessageLogError';
  }
}

// O_NOFOLLOW: the file must be the log itself, not a link planted to make the daemon write elsewhere.
const OPEN_FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/** Opens (creating, 0600) `<dir>/messages.jsonl`, creating `dir` if missing. */
export async function openMessageLog(dir: string, options: MessageLogOptions = {}): Promise<MessageLog> {
  const path = join(dir, MESSAGES_FILE);
  const now = options.now ?? (() => new Date());
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES;
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new MessageLogError(`Cannot create the supervise directory ${dir}: ${(error as Error).message}`, error);
  }
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS, 0o600);
  } catch (error) {
    throw new MessageLogError(`Cannot open the message log ${path}: ${(error as Error).message}`, error);
  }
  let state: { size: number; lastId: number; endsOpen: boolean };
  try {
    state = await readState(handle, path, maxBytes);
  } catch (error) {
    await handle.close();
    throw error;
  }

  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  /** Runs `work` after every append queued before it. */
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work);
    queue = result.catch(() => undefined);
    return result;
  };
  const append = async (line: string): Promise<void> => {
    if (closed) throw new MessageLogError(`The message log ${path} is closed: the supervise daemon is stopping.`);
    const data = Buffer.from(state.endsOpen ? `\n${line}` : line);
    if (state.size + data.length > maxBytes) {
      throw new MessageLogError(
        `The message log ${path} is full (${maxBytes} bytes): nothing more can be recorded for this bottle. Carry on without supervise messages.`,
      );
    }
    try {
      await writeWhole(handle, data);
    } catch (error) {
      // Part of the line may be on disk: the next one starts on a line of its own.
      state.endsOpen = true;
      throw new MessageLogError(`Cannot append to the message log ${path}: ${(error as Error).message}`, error);
    }
    state.size += data.length;
    state.endsOpen = false;
  };

  return {
    path,
    add(message, onId) {
      return serialized(async () => {
        state.lastId += 1;
        const id = String(state.lastId);
        const record: WrittenMessage = { v: FORMAT_VERSION, id, at: now().toISOString(), ...message };
        onId?.(id);
        await append(formatLine(record));
        return record;
      });
    },
    expire(id, reason) {
      return serialized(async () => {
        const record: ExpiredLine = { v: FORMAT_VERSION, id, at: now().toISOString(), kind: 'expired', reason };
        await append(formatLine(record));
        return record;
      });
    },
    async close() {
      if (closed) return;
      await serialized(async () => {
        closed = true;
      });
      await handle.close();
    },
  };
}

/** Where the last run left the file: its size, its highest id, and whether its last line lacks a newline. */
async function readState(handle: FileHandle, path: string, maxBytes: number): Promise<{ size: number; lastId: number; endsOpen: boolean }> {
  const stats = await handle.stat();
  if (!stats.isFile()) throw new MessageLogError(`The message log ${path} is not a regular file; remove it so the daemon can create it.`);
  const size = stats.size;
  if (size === 0) return { size, lastId: 0, endsOpen: false };
  if (size > maxBytes) {
    // Nothing will be appended (append refuses), so the ids do not matter.
    return { size, lastId: 0, endsOpen: true };
  }
  const bytes = Buffer.alloc(size);
  const text = bytes.subarray(0, await readWhole(handle, bytes)).toString('utf8');
  let lastId = 0;
  for (const message of readRecords(text, parseMessageLine)) {
    if (message.kind !== 'expired') lastId = Math.max(lastId, Number(message.id));
  }
  return { size, lastId, endsOpen: !text.endsWith('\n') };
}

/** One write in all but pathological cases (a full disk): a reader sees the line whole or not at all. */
async function writeWhole(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset, null);
    offset += bytesWritten;
  }
}

/** Fills `into` from the start of the file; returns how many bytes there were. */
async function readWhole(handle: FileHandle, into: Buffer): Promise<number> {
  let offset = 0;
  while (offset < into.length) {
    const { bytesRead } = await handle.read(into, offset, into.length - offset, offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
  }
  return offset;
}
