/**
 * Task logs, `<root>/<item>/logs/<task>.log` (0600, in a 0700 directory): one
 * append stream per (item, task), opened on the first line. It never throws
 * and is never awaited by its caller: a line that cannot be written (bad key,
 * full disk) is dropped, since a failing log must not fail a task. It does not
 * filter secrets; tasks must not print them.
 */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { ensureDir } from './root.js';
import { logFile, logsDir } from './layout.js';

export interface LogWriter {
  log(item: string, task: string, line: string): void;
  /** Attempt 1 starts the log afresh; a later attempt appends a `--- attempt N ---` marker. */
  beginAttempt(item: string, task: string, attempt: number): void;
  /** Ends every stream once its lines are written. Lines logged afterwards are dropped. */
  close(): Promise<void>;
}

type Stream = Promise<WriteStream | undefined>;

export function createLogWriter(root: string): LogWriter {
  // Lines chain on the promise of their stream, so they keep their order while
  // the directory and the file are being opened, and across a restart.
  const streams = new Map<string, Stream>();
  let closed = false;

  function open(item: string, task: string, flags: 'a' | 'w', previous: Stream | undefined): Stream {
    const dir = logsDir(root, item);
    const path = logFile(root, item, task);
    return Promise.resolve(previous)
      .then(end)
      .then(() => ensureDir(dir))
      .then(() => createWriteStream(path, { flags, mode: 0o600 }).on('error', ignore))
      .catch(ignore);
  }

  function streamOf(item: string, task: string, restart: boolean): Stream | undefined {
    if (closed) return undefined;
    const key = `${item}/${task}`;
    let stream = streams.get(key);
    if (!stream || restart) {
      stream = open(item, task, restart ? 'w' : 'a', stream);
      streams.set(key, stream);
    }
    return stream;
  }

  function log(item: string, task: string, line: string): void {
    try {
      streamOf(item, task, false)
        ?.then((stream) => stream?.write(`${line}\n`))
        .catch(ignore);
    } catch {
      // A key that cannot name a file: the line has nowhere to go.
    }
  }

  return {
    log,
    beginAttempt(item, task, attempt) {
      if (attempt > 1) return log(item, task, `--- attempt ${attempt} ---`);
      try {
        streamOf(item, task, true);
      } catch {
        // As in log(): nothing to start.
      }
    },
    async close() {
      closed = true;
      const all = [...streams.values()];
      streams.clear();
      await Promise.all(all.map((stream) => stream.then(end)));
    },
  };
}

/** Resolves once the stream's file is closed, its buffered lines written. */
function end(stream: WriteStream | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!stream || stream.closed) return resolve();
    stream.once('close', () => resolve());
    stream.end();
  });
}

function ignore(): undefined {
  return undefined;
}
