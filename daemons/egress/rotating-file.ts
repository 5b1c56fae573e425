/**
 * An append-only file of whole lines that rotates before the next line would
 * take it past `maxBytes`: `egress.jsonl` becomes `egress.jsonl.1`, `.1`
 * becomes `.2` and so on, `keep` old files at most, so the whole stays under
 * about (keep + 1) x maxBytes. A line is never split between files. Writing
 * never waits: lines written while a rotation is under way wait in memory, in
 * order, for the new file. A failed rename or write goes to `onError` and
 * writing goes on. It does not format lines or create directories.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { finished } from 'node:stream/promises';

export interface RotatingFileOptions {
  readonly maxBytes: number;
  /** How many rotated files to keep; 0 drops the full file. */
  readonly keep: number;
  readonly onError: (error: Error) => void;
}

export interface RotatingFile {
  write(line: string): void;
  /** Writes what is waiting, then closes the file. */
  close(): Promise<void>;
}

const MODE = 0o640;

/** Opens (appends to) `path`; rejects when the file cannot be opened. */
export async function openRotatingFile(path: string, options: RotatingFileOptions): Promise<RotatingFile> {
  const { maxBytes, keep, onError } = options;
  let stream = createWriteStream(path, { flags: 'a', mode: MODE });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  stream.on('error', onError);
  let size = (await stat(path)).size;
  let waiting: string[] = [];
  let rotation: Promise<void> | undefined;

  const rotate = async (): Promise<void> => {
    stream.end();
    await finished(stream).catch(() => undefined); // a write error was already reported
    try {
      await shiftFiles(path, keep);
    } catch (error) {
      onError(error as Error); // the full file stays and grows; the next rotation tries again
    }
    stream = createWriteStream(path, { flags: 'a', mode: MODE });
    stream.on('error', onError);
    size = 0;
  };

  const write = (line: string): void => {
    if (rotation) {
      waiting.push(line);
      return;
    }
    const bytes = Buffer.byteLength(line);
    if (size > 0 && size + bytes > maxBytes) {
      waiting.push(line);
      rotation = rotate().then(() => {
        rotation = undefined;
        const lines = waiting;
        waiting = [];
        lines.forEach(write);
      });
      return;
    }
    // One write per line: the stream keeps writes whole and in order.
    stream.write(line);
    size += bytes;
  };

  return {
    write,
    async close() {
      while (rotation) await rotation;
      stream.end();
      await finished(stream).catch(() => undefined);
    },
  };
}

/** `path.(keep-1)` -> `path.keep`, ..., `path` -> `path.1`; the oldest is overwritten. */
async function shiftFiles(path: string, keep: number): Promise<void> {
  if (keep === 0) return rm(path, { force: true });
  for (let n = keep - 1; n >= 1; n--) {
    await rename(`${path}.${n}`, `${path}.${n + 1}`).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
  await rename(path, `${path}.1`);
}
