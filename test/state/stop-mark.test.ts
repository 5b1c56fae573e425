/** The mark `bottle stop` leaves: a bottle is stopped while no task of its record started after it. */
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { ItemRecord } from '../../lib/engine/index.js';
import { clearStopped, markStopped, stoppedAt, stoppedSinceLastRun } from '../../lib/state/stop-mark.js';
import { tempDir } from './temp-dir.js';

const record = (...startedAt: string[]): ItemRecord => ({
  v: 1,
  item: 'alpha-11111',
  tasks: Object.fromEntries(startedAt.map((at, i) => [`task-${i}`, { status: 'done', attempts: 1, durationMs: 1, startedAt: at }])),
});

describe('stop mark', () => {
  it('keeps when the bottle was stopped, until cleared', async () => {
    const path = join(await tempDir(), 'stopped.json');
    expect(stoppedAt(path)).toBeUndefined();
    await markStopped(path, new Date('2026-01-02T03:04:05Z'));
    expect(stoppedAt(path)).toEqual(new Date('2026-01-02T03:04:05Z'));
    await clearStopped(path);
    expect(stoppedAt(path)).toBeUndefined();
    await clearStopped(path);
  });

  it('trusts no mark that does not parse', async () => {
    const path = join(await tempDir(), 'stopped.json');
    await writeFile(path, '{"v":1,"at":');
    expect(stoppedAt(path)).toBeUndefined();
  });

  it('counts as stopped only while no task started after the stop: an up after it outdates it', () => {
    const mark = new Date('2026-01-02T10:00:00Z');
    expect(stoppedSinceLastRun(mark, record('2026-01-02T09:00:00Z', '2026-01-02T09:59:59Z'))).toBe(true);
    expect(stoppedSinceLastRun(mark, record('2026-01-02T09:00:00Z', '2026-01-02T10:00:01Z'))).toBe(false);
    expect(stoppedSinceLastRun(undefined, record('2026-01-02T09:00:00Z'))).toBe(false);
  });
});
