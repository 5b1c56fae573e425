import { describe, it, expect, onTestFinished } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StateError } from '../../lib/state/errors.js';
import { acquireLock, acquireLocks, releaseLocks } from '../../lib/state/lock.js';
import { tempDir } from './temp-dir.js';

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await once(child, 'exit');
  return child.pid!;
}

async function bottleDir(): Promise<string> {
  const dir = join(await tempDir(), 'demo-ab12c');
  await mkdir(dir);
  return dir;
}

async function caught(promise: Promise<unknown>): Promise<StateError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StateError);
  return error as StateError;
}

describe('acquireLock', () => {
  it('writes who holds it, and release removes the file', async () => {
    const dir = await bottleDir();
    const lock = await acquireLock(dir, { owner: 'bottle up' });
    expect(lock.path).toBe(join(dir, 'lock'));
    expect(JSON.parse(await readFile(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, hostname: hostname(), owner: 'bottle up' });
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
    await lock.release();
  });

  it('creates the bottle directory when it is missing', async () => {
    const dir = join(await tempDir(), 'new-bottle');
    const lock = await acquireLock(dir);
    expect(await readdir(dir)).toEqual(['lock']);
    await lock.release();
  });

  it('refuses a second take of a held lock with LOCKED, naming the pid and the file', async () => {
    const dir = await bottleDir();
    const lock = await acquireLock(dir, { owner: 'bottle up' });
    const error = await caught(acquireLock(dir));
    expect(error.code).toBe('LOCKED');
    expect(error.message).toContain(`bottle demo-ab12c is locked by another run (pid ${process.pid}, bottle up, started `);
    expect(error.message).toContain(join(dir, 'lock'));
    await lock.release();
    await (await acquireLock(dir)).release();
  });

  it('lets exactly one of two concurrent takes in one process win', async () => {
    const dir = await bottleDir();
    const results = await Promise.allSettled([acquireLock(dir), acquireLock(dir), acquireLock(dir)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['LOCKED', 'LOCKED']);
  });

  it('counts a lock file of this pid, written by someone else, as held', async () => {
    const dir = await bottleDir();
    const info = { pid: process.pid, hostname: hostname(), startedAt: '2025-01-01T00:00:00.000Z' };
    await writeFile(join(dir, 'lock'), JSON.stringify(info));
    const error = await caught(acquireLock(dir));
    expect(error.code).toBe('LOCKED');
    expect(error.message).toContain('started 2025-01-01T00:00:00.000Z');
  });

  it('waits for a live holder in another process, saying once who it is, and takes the lock when it is gone', async () => {
    const dir = await bottleDir();
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    const info = { pid: holder.pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z', owner: 'bottle up demo' };
    await writeFile(join(dir, 'lock'), JSON.stringify(info));
    const said: string[] = [];
    const taking = acquireLock(dir, { owner: 'bottle up other', wait: { onWait: (m) => said.push(m), pollMs: 20 } });
    await new Promise((r) => setTimeout(r, 150));
    expect(said).toEqual([`bottle demo-ab12c is locked by another run (pid ${holder.pid}, bottle up demo, started 2026-01-01T00:00:00.000Z); waiting for it (--no-wait fails at once)`]);
    holder.kill('SIGKILL');
    const lock = await taking;
    expect(JSON.parse(await readFile(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, owner: 'bottle up other' });
    await lock.release();
  });

  it('stops waiting with LOCKED when the wait is aborted', async () => {
    const dir = await bottleDir();
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    onTestFinished(() => void holder.kill('SIGKILL'));
    await writeFile(join(dir, 'lock'), JSON.stringify({ pid: holder.pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const controller = new AbortController();
    const taking = caught(acquireLock(dir, { wait: { signal: controller.signal, pollMs: 20 } }));
    setTimeout(() => controller.abort(), 100);
    expect((await taking).code).toBe('LOCKED');
  });

  it('takes over a lock left by a process that is gone', async () => {
    const dir = await bottleDir();
    const pid = await deadPid();
    await writeFile(join(dir, 'lock'), JSON.stringify({ pid, hostname: hostname(), startedAt: '2025-01-01T00:00:00.000Z' }));
    const lock = await acquireLock(dir);
    expect(JSON.parse(await readFile(lock.path, 'utf8')).pid).toBe(process.pid);
    expect(await readdir(dir)).toEqual(['lock']);
    await lock.release();
  });

  it.each([
    ['empty', ''],
    ['half written', '{"pid":12'],
    ['without a pid', '{"hostname":"h","startedAt":"t"}'],
  ])('treats a lock file that is %s as stale', async (_, text) => {
    const dir = await bottleDir();
    await writeFile(join(dir, 'lock'), text);
    const lock = await acquireLock(dir);
    expect(JSON.parse(await readFile(lock.path, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('leaves a lock from another host alone, even with a dead pid, and names the host', async () => {
    const dir = await bottleDir();
    const pid = await deadPid();
    await writeFile(join(dir, 'lock'), JSON.stringify({ pid, hostname: 'elsewhere.example', startedAt: 't' }));
    const error = await caught(acquireLock(dir));
    expect(error.code).toBe('LOCKED');
    expect(error.message).toContain(`pid ${pid}, on host elsewhere.example`);
  });

  it('does not remove a lock file that is no longer its own', async () => {
    const dir = await bottleDir();
    const lock = await acquireLock(dir);
    const other = JSON.stringify({ pid: 1, hostname: hostname(), startedAt: 't' });
    await writeFile(lock.path, other);
    await lock.release();
    expect(await readFile(lock.path, 'utf8')).toBe(other);
  });
});

describe('acquireLocks', () => {
  it('takes every lock, in sorted order', async () => {
    const root = await tempDir();
    const dirs = ['c', 'a', 'b'].map((name) => join(root, name));
    const locks = await acquireLocks(dirs);
    expect(locks.map((lock) => lock.path)).toEqual(['a', 'b', 'c'].map((name) => join(root, name, 'lock')));
    await releaseLocks(locks);
    expect(await Promise.all(dirs.map((dir) => readdir(dir)))).toEqual([[], [], []]);
  });

  it('releases the locks it took when one is held', async () => {
    const root = await tempDir();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => join(root, name)) as [string, string, string];
    const held = await acquireLock(b);
    const error = await caught(acquireLocks([c, b, a]));
    expect(error.code).toBe('LOCKED');
    expect(await readdir(a)).toEqual([]);
    await held.release();
    await releaseLocks(await acquireLocks([a, b, c]));
  });
});
