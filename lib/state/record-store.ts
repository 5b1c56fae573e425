/**
 * The engine's Recorder on disk: `<root>/<item>/record.json` (0600), rewritten
 * whole and atomically after every update, and task logs beside it. Writes to
 * one item are serialised and coalesced; different items write in parallel.
 * It does not lock: the caller holds the item's lock (lock.ts) for the run.
 */
import { END_STATUSES, type ItemRecord, type Recorder, type Status, type TaskRecord } from '../engine/index.js';
import { writeFileAtomic } from './atomic-write.js';
import { CoalescingWriter } from './coalescing-writer.js';
import { createLogWriter } from './log-writer.js';
import { readRecord, serializeRecord } from './record-file.js';
import { ensureDir, itemDir } from './root.js';
import { recordFile } from './layout.js';

export interface RecordStoreOptions {
  /** How a record file is replaced; `writeFileAtomic` unless a test watches the writes. */
  write?: (path: string, data: string, mode: number) => Promise<void>;
}

export type RecordStore = Recorder & {
  /** Resolves once every update made so far is durable (or has failed to its caller). */
  flush(): Promise<void>;
};

interface ItemState {
  record: ItemRecord;
  writer: CoalescingWriter<string>;
}

export function createRecordStore(root: string, options: RecordStoreOptions = {}): RecordStore {
  const write = options.write ?? writeFileAtomic;
  const items = new Map<string, Promise<ItemState>>();
  const pending = new Set<Promise<void>>();
  const logs = createLogWriter(root);

  /** The item's in-memory record, seeded from disk once, so tasks not run now keep their entries. */
  function stateOf(item: string): Promise<ItemState> {
    let state = items.get(item);
    if (!state) {
      const opening = openItem(item);
      // A failed read is not cached: the next call reads again (the user may have fixed the file).
      opening.catch(() => items.get(item) === opening && items.delete(item));
      items.set(item, (state = opening));
    }
    return state;
  }

  async function openItem(item: string): Promise<ItemState> {
    const dir = itemDir(root, item);
    const path = recordFile(root, item);
    const record = (await readRecord(path, item)) ?? { v: 1, item, tasks: {} };
    await ensureDir(dir);
    const state: ItemState = {
      record,
      writer: new CoalescingWriter(
        () => serializeRecord(state.record),
        (data) => write(path, data, 0o600),
      ),
    };
    return state;
  }

  async function update(item: string, task: string, entry: TaskRecord): Promise<void> {
    // A copy as JSON, taken before any await: later changes to `entry` by the
    // caller do not leak in, and what stays in memory is what a reload gives.
    const copy = JSON.parse(JSON.stringify(entry)) as TaskRecord;
    const state = await stateOf(item);
    // A computed key keeps a task named `__proto__` an ordinary property.
    state.record = { ...state.record, tasks: { ...state.record.tasks, [task]: copy } };
    await state.writer.request();
  }

  async function flush(): Promise<void> {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  }

  return {
    async load(item) {
      const state = items.get(item);
      if (state) return structuredClone((await state).record);
      return readRecord(recordFile(root, item), item);
    },
    update(item, task, entry) {
      if (isEnd(entry.status)) logs.endTask(item, task);
      const done = update(item, task, entry);
      pending.add(done);
      const settle = () => pending.delete(done);
      done.then(settle, settle);
      return done;
    },
    log: logs.log,
    beginAttempt: logs.beginAttempt,
    flush,
    async close() {
      await flush();
      await logs.close();
    },
  };
}


function isEnd(status: Status): boolean {
  return (END_STATUSES as readonly Status[]).includes(status);
}
