import { describe, it, expect, vi } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskRecord } from '../../lib/engine/index.js';
import { writeFileAtomic } from '../../lib/state/atomic-write.js';
import { StateError } from '../../lib/state/errors.js';
import { createRecordStore } from '../../lib/state/record-store.js';
import { modeOf, tempDir } from './temp-dir.js';

function entry(attempts: number, extra: Partial<TaskRecord> = {}): TaskRecord {
  return { status: 'done', attempts, durationMs: 5, startedAt: '2025-01-01T00:00:00.000Z', ...extra };
}

function readRecordFile(root: string, item: string): { v: number; item: string; tasks: Record<string, TaskRecord> } {
  return JSON.parse(readFileSync(join(root, item, 'record.json'), 'utf8'));
}

describe('createRecordStore: load and update', () => {
  it('gives undefined for an item that never ran, and creates nothing', async () => {
    const root = await tempDir();
    await expect(createRecordStore(root).load('demo-ab12c')).resolves.toBeUndefined();
    expect(await readdir(root)).toEqual([]);
  });

  it('keeps an update across stores: a fresh store loads it', async () => {
    const root = await tempDir();
    const first = createRecordStore(root);
    const failed = entry(3, { status: 'failed', fingerprint: 'f1', error: { message: 'boom', code: 'X', transient: true } });
    await first.update('demo-ab12c', 'network', failed);
    await first.close?.();
    await expect(createRecordStore(root).load('demo-ab12c')).resolves.toEqual({
      v: 1,
      item: 'demo-ab12c',
      tasks: { network: failed },
    });
  });

  it('keeps the entries of tasks an earlier run wrote and this one did not touch', async () => {
    const root = await tempDir();
    const earlier = createRecordStore(root);
    await earlier.update('demo', 'prepare', entry(1, { output: { plan: 'p' } }));
    await earlier.update('demo', 'network', entry(1));
    const now = createRecordStore(root);
    await now.update('demo', 'network', entry(2));
    expect(readRecordFile(root, 'demo').tasks).toEqual({
      prepare: entry(1, { output: { plan: 'p' } }),
      network: entry(2),
    });
  });

  it('load sees this run\'s updates, as a copy', async () => {
    const root = await tempDir();
    const store = createRecordStore(root);
    await store.update('demo', 'ca', entry(1));
    const loaded = await store.load('demo');
    expect(loaded?.tasks.ca).toEqual(entry(1));
    loaded!.tasks.ca!.attempts = 99;
    expect((await store.load('demo'))?.tasks.ca?.attempts).toBe(1);
  });

  it('stores the entry as it was when update was called', async () => {
    const root = await tempDir();
    const store = createRecordStore(root);
    const e = entry(1);
    const written = store.update('demo', 'ca', e);
    e.attempts = 7;
    await written;
    expect(readRecordFile(root, 'demo').tasks.ca?.attempts).toBe(1);
  });

  it('lands all of 200 concurrent updates over 10 tasks, each durable when it resolves', async () => {
    const root = await tempDir();
    const store = createRecordStore(root);
    const updates = Array.from({ length: 200 }, (_, i) => {
      const task = `t${i % 10}`;
      const attempts = Math.floor(i / 10) + 1;
      return store.update('demo', task, entry(attempts)).then(() => {
        // The file parses at every point we look, and already holds this entry or a later one.
        const onDisk = readRecordFile(root, 'demo');
        expect(onDisk.tasks[task]?.attempts).toBeGreaterThanOrEqual(attempts);
      });
    });
    await Promise.all(updates);
    const tasks = readRecordFile(root, 'demo').tasks;
    expect(Object.keys(tasks).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `t${i}`).sort());
    for (const record of Object.values(tasks)) expect(record.attempts).toBe(20);
    expect(await readdir(join(root, 'demo'))).toEqual(['record.json']);
  });

  it('never writes one item twice at once, and coalesces updates that wait', async () => {
    const root = await tempDir();
    let inFlight = 0;
    let peak = 0;
    let writes = 0;
    const store = createRecordStore(root, {
      async write(path, data, mode) {
        writes++;
        peak = Math.max(peak, ++inFlight);
        try {
          await writeFileAtomic(path, data, mode);
        } finally {
          inFlight--;
        }
      },
    });
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.update('demo', `t${i % 10}`, entry(i))));
    expect(peak).toBe(1);
    expect(writes).toBeLessThanOrEqual(3);
    expect(readRecordFile(root, 'demo').tasks.t9?.attempts).toBe(199);
  });

  it('writes two items in parallel: one item\'s slow write does not hold up the other', async () => {
    const root = await tempDir();
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const store = createRecordStore(root, {
      async write(path, data, mode) {
        if (path.includes(`${join(root, 'slow')}/`)) await gate;
        await writeFileAtomic(path, data, mode);
      },
    });
    let slowDone = false;
    const slow = store.update('slow', 'ca', entry(1)).then(() => (slowDone = true));
    await store.update('fast', 'ca', entry(1));
    expect(slowDone).toBe(false);
    expect(readRecordFile(root, 'fast').tasks.ca).toEqual(entry(1));
    openGate();
    await slow;
    expect(readRecordFile(root, 'slow').tasks.ca).toEqual(entry(1));
  });

  it('rejects the updates of a failed write, and the next write carries them', async () => {
    const root = await tempDir();
    let fail = true;
    const store = createRecordStore(root, {
      async write(path, data, mode) {
        if (fail) throw new Error('disk full');
        await writeFileAtomic(path, data, mode);
      },
    });
    await expect(store.update('demo', 'a', entry(1))).rejects.toThrow('disk full');
    fail = false;
    await store.update('demo', 'b', entry(1));
    expect(Object.keys(readRecordFile(root, 'demo').tasks).sort()).toEqual(['a', 'b']);
  });

  it('flush waits for updates nobody awaited', async () => {
    const root = await tempDir();
    const store = createRecordStore(root);
    for (let i = 1; i <= 5; i++) void store.update('demo', 'ca', entry(i));
    await store.flush();
    expect(readRecordFile(root, 'demo').tasks.ca?.attempts).toBe(5);
  });

  it('keeps a task named __proto__ as an ordinary entry', async () => {
    const root = await tempDir();
    const store = createRecordStore(root);
    await store.update('demo', '__proto__', entry(1));
    const tasks = (await createRecordStore(root).load('demo'))?.tasks;
    expect(Object.keys(tasks ?? {})).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(tasks)).toBe(Object.prototype);
  });

  it('rejects a bad item key with a StateError naming it', async () => {
    const store = createRecordStore(await tempDir());
    await expect(store.update('../escape', 'ca', entry(1))).rejects.toMatchObject({ code: 'BAD_KEY', message: expect.stringContaining('"../escape"') });
    await expect(store.load('a/b')).rejects.toMatchObject({ code: 'BAD_KEY' });
  });
});

describe('createRecordStore: corrupt records', () => {
  async function withRecord(text: string): Promise<{ root: string; path: string }> {
    const root = await tempDir();
    await mkdir(join(root, 'demo'));
    const path = join(root, 'demo', 'record.json');
    await writeFile(path, text);
    return { root, path };
  }

  it.each([
    ['not JSON', '{"v":1,'],
    ['an empty file', ''],
    ['a wrong version', '{"v":2,"item":"demo","tasks":{}}'],
    ['a bad status', '{"v":1,"item":"demo","tasks":{"ca":{"status":"weird","attempts":1,"durationMs":1}}}'],
    ['another item\'s record', '{"v":1,"item":"other","tasks":{}}'],
  ])('rejects %s with CORRUPT_RECORD naming the path and the fix', async (_, text) => {
    const { root, path } = await withRecord(text);
    const error = await createRecordStore(root).load('demo').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).code).toBe('CORRUPT_RECORD');
    expect((error as StateError).message).toContain(path);
    expect((error as StateError).message).toContain('delete it');
  });

  it('names the field that has the wrong shape', async () => {
    const { root } = await withRecord('{"v":1,"item":"demo","tasks":{"ca":{"status":"done","attempts":"one","durationMs":1}}}');
    await expect(createRecordStore(root).load('demo')).rejects.toThrow('tasks.ca.attempts');
  });

  it('fails an update rather than overwrite a corrupt record', async () => {
    const { root, path } = await withRecord('garbage');
    await expect(createRecordStore(root).update('demo', 'ca', entry(1))).rejects.toMatchObject({ code: 'CORRUPT_RECORD' });
    expect(await readFile(path, 'utf8')).toBe('garbage');
  });

  it('keeps fields it does not know when it rewrites a record', async () => {
    const { root } = await withRecord('{"v":1,"item":"demo","note":"n","tasks":{"ca":{"status":"done","attempts":1,"durationMs":1,"extra":true}}}');
    await createRecordStore(root).update('demo', 'git', entry(1));
    const onDisk = readRecordFile(root, 'demo') as unknown as { note: string; tasks: Record<string, { extra?: boolean }> };
    expect(onDisk.note).toBe('n');
    expect(onDisk.tasks.ca?.extra).toBe(true);
  });
});

describe('createRecordStore: files and logs', () => {
  it('makes the record 0600 and the directories 0700', async () => {
    const root = join(await tempDir(), 'state');
    const store = createRecordStore(root);
    await store.update('demo', 'ca', entry(1));
    store.log('demo', 'ca', 'hello');
    await store.close?.();
    expect(await modeOf(root)).toBe(0o700);
    expect(await modeOf(join(root, 'demo'))).toBe(0o700);
    expect(await modeOf(join(root, 'demo', 'record.json'))).toBe(0o600);
    expect(await modeOf(join(root, 'demo', 'logs'))).toBe(0o700);
    expect(await modeOf(join(root, 'demo', 'logs', 'ca.log'))).toBe(0o600);
  });

  it('writes logs to logs/<task>.log: attempt 1 starts afresh, attempt 2 adds a marker', async () => {
    const root = await tempDir();
    const earlier = createRecordStore(root);
    earlier.log('demo', 'ca', 'from an earlier run');
    await earlier.close?.();
    const store = createRecordStore(root);
    store.beginAttempt?.('demo', 'ca', 1);
    store.log('demo', 'ca', 'one');
    store.beginAttempt?.('demo', 'ca', 2);
    store.log('demo', 'ca', 'two');
    store.log('demo', 'git', 'other task');
    await store.close?.();
    expect(await readFile(join(root, 'demo', 'logs', 'ca.log'), 'utf8')).toBe('one\n--- attempt 2 ---\ntwo\n');
    expect(await readFile(join(root, 'demo', 'logs', 'git.log'), 'utf8')).toBe('other task\n');
  });
});

describe('createRecordStore: task logs', () => {
  it('closes a task\'s log when its node ends, so a run of thousands of nodes holds only the running ones\' files', async () => {
    const root = await tempDir();
    const store = createRecordStore(root, { write: async () => {} });
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    const updates: Promise<void>[] = [];
    for (let i = 0; i < 1500; i++) {
      store.log(`b${i}`, 'ca', 'line');
      updates.push(store.update(`b${i}`, 'ca', entry(1)));
    }
    await Promise.all(updates);
    // Every line is on disk (its file was opened) before the count is read.
    await vi.waitFor(async () => {
      for (let i = 0; i < 1500; i += 1) expect(await readFile(join(root, `b${i}`, 'logs', 'ca.log'), 'utf8')).toBe('line\n');
    }, { timeout: 10_000, interval: 50 });
    await vi.waitFor(() => expect(open()).toBeLessThan(before + 20), { timeout: 5_000, interval: 50 });
    await store.close?.();
    expect(await readFile(join(root, 'b1499', 'logs', 'ca.log'), 'utf8')).toBe('line\n');
  });
});
