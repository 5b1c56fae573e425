/**
 * Where the engine keeps what it learnt about each node, so that a later run
 * knows what is up to date. lib/state implements it on disk; `memoryRecorder`
 * keeps it in a Map (benchmarks, tests, dry runs).
 */
import type { ErrorInfo } from './errors.js';
import type { Status } from './status.js';

/** One task's entry in an item's record. A failed entry has the same shape plus `error`. */
export interface TaskRecord {
  status: Status;
  attempts: number;
  /** Wall-clock ISO time the last attempt started, absent if it never ran. */
  startedAt?: string;
  durationMs: number;
  /** Hash of the task's inputs and its needs' fingerprints and outputs. */
  fingerprint?: string;
  /** JSON-serialisable output of the task (done or up-to-date). */
  output?: unknown;
  error?: ErrorInfo;
}

export interface ItemRecord {
  v: 1;
  item: string;
  tasks: Record<string, TaskRecord>;
}

export interface Recorder {
  /** The record of an earlier run, or undefined when the item never ran. */
  load(item: string): Promise<ItemRecord | undefined>;
  /**
   * Store one transition. Resolves once the new record is durable; a crash at
   * any point must leave the previous or the new record, never a torn one.
   */
  update(item: string, task: string, entry: TaskRecord): Promise<void>;
  /** One line a task printed. Never awaited by the engine; must not throw. */
  log(item: string, task: string, line: string): void;
  /** A node's attempt begins: a log may start a section. */
  beginAttempt?(item: string, task: string, attempt: number): void;
  /** All writes of this run are flushed and handles closed. */
  close?(): Promise<void>;
}

const resolved = Promise.resolve();

/** Keeps nothing: every run starts from scratch. The default when no recorder is given. */
export const noRecorder: Recorder = {
  load: () => Promise.resolve(undefined),
  update: () => resolved,
  log: () => {},
};

export function memoryRecorder(initial: Iterable<ItemRecord> = []): Recorder & {
  records: Map<string, ItemRecord>;
  logs: Map<string, string[]>;
} {
  const records = new Map<string, ItemRecord>();
  for (const r of initial) records.set(r.item, structuredClone(r));
  const logs = new Map<string, string[]>();
  return {
    records,
    logs,
    async load(item) {
      const r = records.get(item);
      return r && structuredClone(r);
    },
    async update(item, task, entry) {
      let r = records.get(item);
      if (!r) {
        r = { v: 1, item, tasks: {} };
        records.set(item, r);
      }
      r.tasks[task] = entry;
    },
    log(item, task, line) {
      const key = `${item}/${task}`;
      let lines = logs.get(key);
      if (!lines) logs.set(key, (lines = []));
      lines.push(line);
    },
  };
}
