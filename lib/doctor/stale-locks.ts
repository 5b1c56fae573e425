/**
 * Locks in the state root (`<root>/<item>/lock`, lib/state/lock.ts) whose
 * holder no longer runs on this host, or that are empty or unreadable, and
 * their removal. A lock taken on another host cannot be judged and is never
 * a finding. The next run would take a stale lock over anyway; removing it
 * says no run is in progress where none is. It also tells the other checks
 * which items a live run holds, so they leave those alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLive, parseHolder } from '../state/lock-holder.js';
import { removeStale } from '../state/lock.js';
import { errnoCode } from '../state/errors.js';
import type { Finding } from './finding.js';

/** The item directories of `root` (bottles and `_run`), absolute. */
export function itemDirs(root: string): string[] {
  try {
    return readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => join(root, d.name))
      .sort();
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
}

/** Whether a run that still runs holds the lock of `dir` (one on another host counts as running). */
export function isHeld(dir: string): boolean {
  const text = readIfExists(join(dir, 'lock'));
  if (text === undefined) return false;
  const holder = parseHolder(text);
  return holder !== undefined && isLive(holder);
}

export function findStaleLocks(root: string): Finding[] {
  const found: Finding[] = [];
  for (const dir of itemDirs(root)) {
    const path = join(dir, 'lock');
    const text = readIfExists(path);
    if (text === undefined) continue;
    const holder = parseHolder(text);
    if (holder && isLive(holder)) continue;
    found.push({
      kind: 'stale-lock',
      subject: path,
      detail: holder
        ? `taken by pid ${holder.pid}${holder.owner ? ` (${holder.owner})` : ''} at ${holder.startedAt}, which no longer runs`
        : 'empty or unreadable: a run was killed while taking it',
      fix: 'delete the lock file',
      repair: { type: 'remove-lock', path, text },
    });
  }
  return found;
}

/** Deletes the lock at `path` if it still holds `text` (lib/state/lock.ts). */
export const removeStaleLock = removeStale;

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}
