/**
 * The mark `bottle stop` leaves in a bottle's state dir (`stopped.json`:
 * when), and what it means: the bottle is stopped while the mark is newer
 * than every task the bottle's record says started. So `bottle start`
 * clears it, and a `bottle up` after a stop outdates it by starting the
 * machines again (their tasks run anew), without either knowing of the
 * other. It lets `bottle status` say "stopped" from the state alone; it
 * asks no backend (`bottle ls` does).
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { ItemRecord } from '../engine/index.js';
import { writeFileAtomic } from './atomic-write.js';
import { errnoCode } from './errors.js';

interface StopMark {
  v: 1;
  /** ISO time of the stop. */
  at: string;
}

export async function markStopped(path: string, now: Date): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify({ v: 1, at: now.toISOString() } satisfies StopMark)}\n`);
}

export async function clearStopped(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** When the bottle was stopped, or undefined (no mark, or one that does not parse: not trusted either way). */
export function stoppedAt(path: string): Date | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
    throw error;
  }
  try {
    const at = new Date((JSON.parse(text) as Partial<StopMark>).at ?? '');
    return Number.isNaN(at.getTime()) ? undefined : at;
  } catch {
    return undefined;
  }
}

/** Whether a stop came after the last start of any task of the record: nothing ran since. */
export function stoppedSinceLastRun(mark: Date | undefined, record: ItemRecord | null): boolean {
  if (!mark) return false;
  const starts = Object.values(record?.tasks ?? {}).flatMap((t) => (t.startedAt ? [Date.parse(t.startedAt)] : []));
  return starts.every((start) => Number.isNaN(start) || start <= mark.getTime());
}
