import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findStaleLocks, isHeld, removeStaleLock } from '../../lib/doctor/stale-locks.js';
import { tempDir } from '../state/temp-dir.js';

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await once(child, 'exit');
  return child.pid!;
}

const holder = (pid: number, host = hostname()) => `${JSON.stringify({ pid, hostname: host, startedAt: '2026-01-01T00:00:00.000Z', owner: 'bottle up demo' })}\n`;

async function rootWith(locks: Record<string, string>): Promise<string> {
  const root = await tempDir();
  for (const [item, text] of Object.entries(locks)) {
    await mkdir(join(root, item));
    await writeFile(join(root, item, 'lock'), text);
  }
  return root;
}

describe('findStaleLocks', () => {
  it('finds a lock whose process is gone, and an empty one, in bottles and _run alike', async () => {
    const dead = await deadPid();
    const root = await rootWith({ 'demo-11111': holder(dead), _run: '' });
    const found = findStaleLocks(root);
    expect(found.map((f) => [f.kind, f.subject])).toEqual([
      ['stale-lock', join(root, '_run', 'lock')],
      ['stale-lock', join(root, 'demo-11111', 'lock')],
    ]);
    expect(found[1]!.detail).toBe(`taken by pid ${dead} (bottle up demo) at 2026-01-01T00:00:00.000Z, which no longer runs`);
    expect(found[0]!.detail).toContain('empty or unreadable');
  });

  it('leaves a lock whose process runs, and one taken on another host, which it cannot judge', async () => {
    const root = await rootWith({ 'live-11111': holder(process.pid), 'away-22222': holder(await deadPid(), 'another-host.invalid') });
    expect(findStaleLocks(root)).toEqual([]);
    expect(isHeld(join(root, 'live-11111'))).toBe(true);
    expect(isHeld(join(root, 'away-22222'))).toBe(true);
  });
});

describe('removeStaleLock', () => {
  it('deletes the lock it judged stale', async () => {
    const text = holder(await deadPid());
    const root = await rootWith({ 'demo-11111': text });
    await removeStaleLock(join(root, 'demo-11111', 'lock'), text);
    expect(await readdir(join(root, 'demo-11111'))).toEqual([]);
  });

  it('keeps a lock a run took over since it was judged', async () => {
    const taken = holder(process.pid);
    const root = await rootWith({ 'demo-11111': taken });
    await removeStaleLock(join(root, 'demo-11111', 'lock'), holder(await deadPid()));
    expect(await readFile(join(root, 'demo-11111', 'lock'), 'utf8')).toBe(taken);
    expect(await readdir(join(root, 'demo-11111'))).toEqual(['lock']);
  });
});
