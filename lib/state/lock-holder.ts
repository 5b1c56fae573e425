/**
 * Who holds a lock: the JSON kept in a lock file, whether its holder still
 * runs, and the LOCKED error that names it. It does not touch the lock file.
 */
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';
import { RUN_ITEM } from '../engine/index.js';
import { StateError, errnoCode } from './errors.js';

export interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
  owner?: string;
}

/** This process, as the holder of a lock taken now. */
export function currentHolder(owner?: string): LockInfo {
  const info: LockInfo = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  if (owner !== undefined) info.owner = owner;
  return info;
}

/** The holder a lock file names, or undefined when it is empty or unreadable (a crash while it was written). */
export function parseHolder(text: string): LockInfo | undefined {
  try {
    const info = JSON.parse(text) as Partial<LockInfo>;
    const valid =
      Number.isInteger(info.pid) && (info.pid as number) > 0 && typeof info.hostname === 'string' && typeof info.startedAt === 'string';
    return valid ? (info as LockInfo) : undefined;
  } catch {
    return undefined;
  }
}

/** A lock from another host cannot be checked, so it counts as live. */
export function isLive(info: LockInfo): boolean {
  if (info.hostname !== hostname()) return true;
  try {
    process.kill(info.pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) !== 'ESRCH'; // EPERM: alive, run by someone else
  }
}

/** What a lock file guards, for a message: `bottle demo-x1y2z`, or the image tasks every run shares. */
export function lockedThing(path: string): string {
  const item = basename(dirname(path));
  return item === RUN_ITEM ? 'the image tasks (shared by every run)' : `bottle ${item}`;
}

/** `pid 12, bottle up demo, started 2026-...`: who holds a lock, for a message. */
export function describeHolder(holder: LockInfo | undefined): string {
  return holder
    ? [
        `pid ${holder.pid}`,
        ...(holder.hostname === hostname() ? [] : [`on host ${holder.hostname}`]),
        ...(holder.owner ? [holder.owner] : []),
        `started ${holder.startedAt}`,
      ].join(', ')
    : 'which is taking it right now';
}

/** The LOCKED error for the lock file `path`, naming its holder when it is known. */
export function lockedError(path: string, holder: LockInfo | undefined): StateError {
  return new StateError(
    'LOCKED',
    `${lockedThing(path)} is locked by another run (${describeHolder(holder)}); wait for it to finish, or if that process is gone, delete ${path}.`,
  );
}
