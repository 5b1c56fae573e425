/**
 * Task logs, `<root>/<item>/logs/<task>.log` (0600, in a 0700 directory): one
 * append stream per (item, task), opened on the first line and closed when the
 * node ends, so a run of thousands of nodes holds only the running ones' files. It never throws
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
  /** The node ended: its stream closes once its lines are written; a later line opens it again to append. */
  endTask(item: string, task: string): void;
  /** Ends every stream once its lines are written. Lines logged afterwards are dropped. */
  close(): Promise<void>;
}

type Stream = Promise<WriteStream | undefined>;

export function createLogWriter(root: string): LogWriter {
  // Lines chain on the promise of their stream, so they keep their order while
  // the directory and the file are being opened, and across a restart.
  const streams = new Map<string, Stream>();
  /** Streams of ended nodes still writing their last lines, by key. */
  const ending = new Map<string, Promise<void>>();
  let closed = false;

  function open(item: string, task: string, flags: 'a' | 'w', previous: Stream | Promise<void> | undefined): Stream {
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
      stream = open(item, task, restart ? 'w' : 'a', stream ?? ending.get(key));
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
    endTask(item, task) {
      const key = `${item}/${task}`;
      const stream = streams.get(key);
      if (!stream) return;
      streams.delete(key);
      // A line logged after this opens a new stream that waits for this one's end.
      const done = stream.then(end);
      ending.set(key, done);
      void done.then(() => ending.get(key) === done && ending.delete(key));
    },
    async close() {
      closed = true;
      const all = [...streams.values()];
      streams.clear();
      await Promise.all([...all.map((stream) => stream.then(end)), ...ending.values()]);
    },
  };
}

/** Resolves once the stream's file is closed, its buffered lines written. */
function end(stream: WriteStream | undefined | void): Promise<void> {
  return new Promise((resolve) => {
    if (!stream || stream.closed) return resolve();
    stream.once('close', () => resolve());
    stream.end();
  });
}

function ignore(): undefined {
  return undefined;
}
