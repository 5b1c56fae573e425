import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTempFiles } from '../../lib/doctor/temp-files.js';
import { tempDir } from '../state/temp-dir.js';

const NOW = Date.parse('2026-05-01T12:00:00Z');
const HOUR_AGO = new Date(NOW - 3_600_000);

/** Makes each path (a trailing `/`: a directory), touched an hour ago unless `fresh`. */
async function make(root: string, paths: string[], fresh: string[] = []): Promise<void> {
  for (const p of [...paths, ...fresh]) {
    const path = join(root, p);
    if (p.endsWith('/')) await mkdir(path, { recursive: true });
    else {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, 'x');
    }
    if (!fresh.includes(p)) await utimes(path, HOUR_AGO, HOUR_AGO);
  }
}

const find = (root: string, held: string[] = []) =>
  findTempFiles(root, { now: NOW, minAgeMs: 60_000, isHeld: (dir) => held.some((h) => join(root, h) === dir) }).map((f) => f.subject.slice(root.length + 1));

describe('findTempFiles', () => {
  it('finds what killed writers leave, wherever in a bottle or _run they left it', async () => {
    const root = await tempDir();
    await make(root, [
      'demo-11111/.record.json.a1b2c3d4e5f6.tmp',
      'demo-11111/bundle/.egress-policy.json.0123456789ab.tmp',
      'demo-11111/lock.a1b2c3d4e5f6.tmp',
      'demo-11111/lock.a1b2c3d4e5f6.stale',
      'demo-11111/ca/.issue-Ab12Cd/',
      'demo-11111/bundle/leaves/.leaf-xY9z0Q/',
      'demo-11111/workspace-Qw3Er5/workspace/',
      'demo-11111/workspace-Qw3Er5/',
      'demo-11111/gate/demo.git/.config.680f97adc37a.tmp',
      '_run/.record.json.abc.tmp',
    ]);
    expect(find(root).sort()).toEqual([
      '_run/.record.json.abc.tmp',
      'demo-11111/.record.json.a1b2c3d4e5f6.tmp',
      'demo-11111/bundle/.egress-policy.json.0123456789ab.tmp',
      'demo-11111/bundle/leaves/.leaf-xY9z0Q',
      'demo-11111/ca/.issue-Ab12Cd',
      'demo-11111/gate/demo.git/.config.680f97adc37a.tmp',
      'demo-11111/lock.a1b2c3d4e5f6.stale',
      'demo-11111/lock.a1b2c3d4e5f6.tmp',
      'demo-11111/workspace-Qw3Er5',
    ]);
  });

  it('leaves what may still be being written, what a live run holds, git repositories and every other file', async () => {
    const root = await tempDir();
    await make(
      root,
      [
        'busy-22222/.record.json.a1b2c3d4e5f6.tmp',
        'demo-11111/gate/demo.git/objects/.tmp-pack.a1b2.tmp',
        'demo-11111/gate/demo.git/.config.lock',
        'demo-11111/gate/demo.git/objects/pack/.config.680f97adc37a.tmp',
        'demo-11111/record.json',
        'demo-11111/plan.json',
        'demo-11111/.hidden',
        'demo-11111/ca/workspace-Qw3Er5/',
        'demo-11111/egress/egress.jsonl',
      ],
      ['demo-11111/.plan.json.a1b2c3d4e5f6.tmp'],
    );
    expect(find(root, ['busy-22222'])).toEqual([]);
  });

  it('says what left the file and that --fix deletes it', async () => {
    const root = await tempDir();
    await make(root, ['demo-11111/.record.json.a1b2c3d4e5f6.tmp']);
    const [finding] = findTempFiles(root, { now: NOW, minAgeMs: 60_000, isHeld: () => false });
    expect(finding).toMatchObject({
      kind: 'temp-file',
      detail: 'the temp file of an atomic write, untouched for 60 min: the run that made it did not finish',
      fix: 'delete the file',
      repair: { type: 'remove-path', path: join(root, 'demo-11111/.record.json.a1b2c3d4e5f6.tmp') },
    });
  });
});
