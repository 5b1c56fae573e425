/**
 * Rewrites a followed file the way the host does (a temp file, then a
 * rename over it), and waits for what the daemon says about it: the next
 * message, which must come within a deadline (the file is polled every
 * 200 ms; a reload that never comes fails the test rather than hanging it).
 */
import { rename, writeFile } from 'node:fs/promises';

let written = 0;

/** Writes `value` (JSON unless it is a string) next to `path`, then renames it over `path`. */
export async function replaceFile(path: string, value: unknown): Promise<void> {
  written += 1;
  const temp = `${path}.${process.pid}.${written}.tmp`;
  await writeFile(temp, typeof value === 'string' ? value : JSON.stringify(value));
  await rename(temp, path);
}

export interface Messages {
  /** Pass as the daemon's callback. */
  readonly say: (message: string) => void;
  /** Every message so far. */
  readonly all: string[];
  /** The next message; rejects if none comes within `withinMs`. Call it before making the change. */
  next(withinMs?: number): Promise<string>;
}

export function collectMessages(): Messages {
  const all: string[] = [];
  const waiting: Array<(message: string) => void> = [];
  return {
    all,
    say(message) {
      all.push(message);
      for (const resolve of waiting.splice(0)) resolve(message);
    },
    next(withinMs = 1000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reload message within ${withinMs} ms`)), withinMs);
        waiting.push((message) => {
          clearTimeout(timer);
          resolve(message);
        });
      });
    },
  };
}
