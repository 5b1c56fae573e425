/**
 * A lock per bottle, the file `<dir>/lock`, held for a whole run so that two
 * runs on one bottle never interleave, in two processes or in one. A lock
 * whose process is gone, or whose file is empty or unreadable (a crash while
 * it was written), is stale and taken over. With `wait`, a live lock is
 * waited for (polled), saying once per holder who holds it; without, it
 * fails at once (LOCKED). It cannot judge a lock taken on another host: that
 * one stays locked.
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errnoCode } from './errors.js';
import { currentHolder, describeHolder, isLive, lockedError, lockedThing, parseHolder } from './lock-holder.js';
import type { LockInfo } from './lock-holder.js';
import { ensureDir } from './root.js';

export interface Lock {
  /** The lock file. */
  readonly path: string;
  /** Removes the lock file if it is still ours. Calling it again does nothing. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** Who holds the lock, shown to whoever finds it taken (e.g. `bottle up demo`). */
  owner?: string;
  /** Wait for a live holder to let go instead of failing at once. */
  wait?: LockWait;
}

export interface LockWait {
  /** Ends the wait (a LOCKED error). */
  signal?: AbortSignal;
  /** Told once per holder: `bottle <dir> is locked by pid 12, bottle up demo, ...; waiting`. */
  onWait?: (message: string) => void;
  pollMs?: number;
}

/** Locks this process holds or is taking, by path: a second take fails at once, before any I/O. */
const held = new Map<string, LockInfo>();

export async function acquireLock(dir: string, options: LockOptions = {}): Promise<Lock> {
  const path = join(resolve(dir), 'lock');
  const ours = currentHolder(options.owner);
  const holder = held.get(path);
  if (holder) throw lockedError(path, holder);
  held.set(path, ours);
  const content = `${JSON.stringify(ours)}\n`;
  try {
    await ensureDir(dir);
    for (let told = ''; ; ) {
      const taken = await take(path, content);
      if (taken.ok) break;
      const { wait } = options;
      if (!wait || wait.signal?.aborted) throw lockedError(path, taken.holder);
      const about = describeHolder(taken.holder);
      if (taken.holder && about !== told) wait.onWait?.(`${lockedThing(path)} is locked by another run (${about}); waiting for it (--no-wait fails at once)`);
      told = taken.holder ? about : told;
      await pause(wait.pollMs ?? 250, wait.signal);
    }
  } catch (error) {
    held.delete(path);
    throw error;
  }
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      try {
        if ((await readIfExists(path)) === content) await rm(path, { force: true });
      } finally {
        held.delete(path);
      }
    },
  };
}

/** Takes the locks of several dirs in sorted order; if one is taken, releases those it got and throws. */
export async function acquireLocks(dirs: readonly string[], options: LockOptions = {}): Promise<Lock[]> {
  const locks: Lock[] = [];
  try {
    for (const dir of [...new Set(dirs.map((d) => resolve(d)))].sort()) locks.push(await acquireLock(dir, options));
    return locks;
  } catch (error) {
    await releaseLocks(locks);
    throw error;
  }
}

/** Releases locks in the reverse of the order they were taken. */
export async function releaseLocks(locks: readonly Lock[]): Promise<void> {
  for (const lock of [...locks].reverse()) await lock.release();
}

/** Creates the lock file, taking over a stale one once; or says who holds it. */
async function take(path: string, content: string): Promise<{ ok: true } | { ok: false; holder: LockInfo | undefined }> {
  let holder: LockInfo | undefined;
  for (let tries = 0; tries < 2; tries++) {
    if (await create(path, content)) return { ok: true };
    const text = await readIfExists(path);
    if (text === undefined) continue; // released meanwhile
    holder = parseHolder(text);
    if (holder && isLive(holder)) return { ok: false, holder };
    await removeStale(path, text);
  }
  return { ok: false, holder };
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(finish, ms);
    signal?.addEventListener('abort', finish, { once: true });
    function finish() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      done();
    }
  });
}

/**
 * Writes the content to a temp file and links it to `path`: the link appears
 * whole or not at all, so a live lock is never seen empty (as it could be
 * between `open(..., 'wx')` and the write).
 */
async function create(path: string, content: string): Promise<boolean> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, content, { flag: 'wx', mode: 0o600 });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temp);
  }
}

/**
 * Deletes the lock file at `path` judged stale with `staleText`: moved aside
 * first, and put back if it turns out not to be the one judged stale (a run
 * took it over meanwhile). Also `bottle doctor --fix`'s (lib/doctor).
 */
export async function removeStale(path: string, staleText: string): Promise<void> {
  const aside = `${path}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw error;
  }
  try {
    if ((await readIfExists(aside)) !== staleText) await link(aside, path).catch(() => undefined);
  } finally {
    await unlink(aside);
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}
