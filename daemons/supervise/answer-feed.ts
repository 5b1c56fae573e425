/**
 * The answers the host appends to answers.jsonl, noticed by polling (fs.watch
 * misses writes made through a bind mount): every `pollMs` it reads only the
 * bytes past those it has read, and hands each complete line that parses to
 * `onAnswer`, in file order. It starts at the end of the file as it is (the
 * answers already there are for questions no call waits for), reads a file
 * that appears later from its start, and starts over when the file is
 * replaced or cut short. It does not decide which answer counts or whether
 * anyone waits for it (question-desk.ts does).
 */
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { lstat, open } from 'node:fs/promises';
import type { AnswerLine } from './format.js';
import { MAX_LINE_CHARS, parseAnswerLine } from './format.js';

export interface AnswerFeed {
  /** Stops polling; resolves once a read under way has ended. */
  close(): Promise<void>;
}

export interface AnswerFeedOptions {
  pollMs: number;
  /** Told when the file cannot be read (once per distinct problem, not on every poll). */
  onError?: (error: Error) => void;
}

const NEWLINE = 0x0a;
// A line past this many bytes is no answer (format.ts); it is dropped without being held.
const MAX_LINE_BYTES = MAX_LINE_CHARS * 4;
const CHUNK_BYTES = 1024 * 1024;
// O_NONBLOCK: a FIFO put in place of the file must not block the read; O_NOFOLLOW: no link either.
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW;
const EMPTY = Buffer.alloc(0);

export async function watchAnswers(path: string, onAnswer: (answer: AnswerLine) => void, options: AnswerFeedOptions): Promise<AnswerFeed> {
  let position = await endOf(path);
  let pending = EMPTY;
  let skippingLongLine = false;
  let lastProblem = '';

  const report = (problem: string, cause?: unknown): void => {
    if (problem === lastProblem) return;
    lastProblem = problem;
    options.onError?.(new Error(problem, cause === undefined ? undefined : { cause }));
  };
  const startOver = (ino: number): void => {
    position = { ino, offset: 0 };
    pending = EMPTY;
    skippingLongLine = false;
  };
  /** Splits what was read into lines; the part after the last newline waits for the rest. */
  const take = (chunk: Buffer): void => {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      const line = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(start, end)]) : chunk.subarray(start, end);
      pending = EMPTY;
      start = end + 1;
      if (skippingLongLine) skippingLongLine = false;
      else if (line.length > 0 && line.length <= MAX_LINE_BYTES) {
        const answer = parseAnswerLine(line.toString('utf8'));
        if (answer) onAnswer(answer);
      }
    }
    if (skippingLongLine) return;
    pending = Buffer.concat([pending, chunk.subarray(start)]);
    if (pending.length > MAX_LINE_BYTES) {
      pending = EMPTY;
      skippingLongLine = true;
    }
  };
  const readNew = async (handle: FileHandle): Promise<void> => {
    const stats = await handle.stat();
    if (!stats.isFile()) return report(`The answers file ${path} is not a regular file; answers cannot reach waiting questions until it is.`);
    if (stats.ino !== position.ino || stats.size < position.offset) startOver(stats.ino);
    while (position.offset < stats.size) {
      const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, stats.size - position.offset));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position.offset);
      if (bytesRead === 0) break;
      position.offset += bytesRead;
      take(chunk.subarray(0, bytesRead));
    }
    lastProblem = '';
  };
  const poll = async (): Promise<void> => {
    let handle: FileHandle;
    try {
      handle = await open(path, READ_FLAGS);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return startOver(-1);
      return report(`Cannot read the answers file ${path}: ${(error as Error).message}`, error);
    }
    try {
      await readNew(handle);
    } catch (error) {
      report(`Cannot read the answers file ${path}: ${(error as Error).message}`, error);
    } finally {
      await handle.close().catch(() => undefined);
    }
  };

  let polling: Promise<void> | undefined;
  const timer = setInterval(() => {
    polling ??= poll().finally(() => {
      polling = undefined;
    });
  }, options.pollMs);
  timer.unref();

  return {
    async close() {
      clearInterval(timer);
      await polling;
    },
  };
}

/** The inode and size of the file as it is now; a missing file (or not a file) is read from its start once it appears. */
async function endOf(path: string): Promise<{ ino: number; offset: number }> {
  try {
    const stats = await lstat(path);
    return stats.isFile() ? { ino: stats.ino, offset: stats.size } : { ino: -1, offset: 0 };
  } catch {
    return { ino: -1, offset: 0 };
  }
}
