/**
 * A file the daemon keeps following while it runs (the policy, the
 * credentials): read and parsed once at start, where a failure is thrown,
 * then polled: every `intervalMs` its stat (mtime, size, inode: the host
 * replaces it by rename, and fs.watch misses changes on bind mounts) is
 * compared with the last one seen, and a changed file is read and parsed
 * again. A new value replaces the current one only when it parses; a failure
 * is passed to `onError` once per change and the previous value stays. It
 * does not know what the file holds: `parse` does, and its errors are what
 * `onError` gets, so they must not quote anything secret.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';

export interface LiveFile<T> {
  readonly path: string;
  /** The last value that parsed. */
  current(): T;
  /** Stops polling. */
  close(): void;
}

export interface LiveFileOptions<T> {
  /** Reads and parses the file; throws when it cannot be used. */
  read(path: string): Promise<T>;
  /** A change that could not be read or parsed; the previous value stays. */
  onError(error: Error): void;
  /** A change that parsed, after it became the current value. */
  onChange?(value: T): void;
  readonly intervalMs?: number;
}

export const POLL_MS = 200;

export async function openLiveFile<T>(path: string, options: LiveFileOptions<T>): Promise<LiveFile<T>> {
  const { read, onError, onChange, intervalMs = POLL_MS } = options;
  // The stat is taken before the read: a change in between is seen by the next poll.
  let seen = signatureOf(await stat(path).catch(() => undefined));
  let value: T = await read(path);
  let polling = false;
  let closed = false;

  const poll = async (): Promise<void> => {
    let stats: Stats;
    try {
      stats = await stat(path);
    } catch (error) {
      const signature = `missing ${(error as NodeJS.ErrnoException).code ?? ''}`;
      if (signature !== seen) onError(error as Error);
      seen = signature;
      return;
    }
    const signature = signatureOf(stats);
    if (signature === seen) return;
    seen = signature;
    let next: T;
    try {
      next = await read(path);
    } catch (error) {
      if (!closed) onError(error as Error);
      return;
    }
    if (closed) return;
    value = next;
    onChange?.(next);
  };

  const timer = setInterval(() => {
    if (polling) return;
    polling = true;
    void poll().finally(() => (polling = false));
  }, intervalMs).unref();

  return {
    path,
    current: () => value,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}

function signatureOf(stats: Stats | undefined): string {
  return stats ? `${stats.ino}:${stats.size}:${stats.mtimeMs}` : 'missing';
}
