import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LabelledObject } from '../../lib/backends/types.js';
import { findOrphans, rootStates, type RootState } from '../../lib/doctor/orphans.js';
import { tempDir } from '../state/temp-dir.js';

const ROOT = '/state/here';

function object(type: LabelledObject['type'], name: string, slug: string, root?: string): LabelledObject {
  return { type, name, labels: { 'bot-bottle.slug': slug, 'bot-bottle.agent': 'demo', ...(root ? { 'bot-bottle.state-root': root } : {}) } };
}

function judge(objects: LabelledObject[], known: string[], roots: Record<string, RootState> = {}, otherRoots = true) {
  return findOrphans({ backend: 'docker', objects, root: ROOT, known: new Set(known), rootState: (p) => roots[p] ?? 'other', otherRoots }).map((f) => [f.kind, f.subject]);
}

describe('findOrphans', () => {
  it('finds the objects labelled for this root whose bottle it does not know, and only those', () => {
    const objects = [object('machine', 'claude-bottle-gone-11111', 'gone-11111', ROOT), object('machine', 'claude-bottle-kept-22222', 'kept-22222', ROOT)];
    expect(judge(objects, ['kept-22222'])).toEqual([['orphan', 'container claude-bottle-gone-11111']]);
  });

  it('finds objects of a state root that no longer exists, unless told to stay in this root', () => {
    const objects = [object('network', 'claude-bottle-a-11111', 'a-11111', '/tmp/deleted'), object('network', 'claude-bottle-b-22222', 'b-22222', '/elsewhere')];
    const roots: Record<string, RootState> = { '/tmp/deleted': 'gone', '/elsewhere': 'other' };
    expect(judge(objects, [], roots)).toEqual([['gone-root', 'network claude-bottle-a-11111']]);
    expect(judge(objects, [], roots, false)).toEqual([]);
  });

  it('leaves alone an object made before objects carried their state root, named by this root or not', () => {
    expect(judge([object('machine', 'claude-bottle-old-11111', 'old-11111')], ['old-11111'])).toEqual([]);
    expect(judge([object('machine', 'claude-bottle-old-11111', 'old-11111')], [])).toEqual([]);
  });

  it('judges by labels, not names: an object named like a bottle of ours but labelled for another root is not ours', () => {
    expect(judge([object('machine', 'claude-bottle-kept-22222', 'kept-22222', '/elsewhere')], [])).toEqual([]);
  });

  it('lists machines before networks, so a network is removed once nothing of its bottle is on it', () => {
    const objects = [object('network', 'claude-bottle-x-11111', 'x-11111', ROOT), object('machine', 'claude-bottle-x-11111', 'x-11111', ROOT)];
    expect(judge(objects, []).map(([, s]) => s)).toEqual(['container claude-bottle-x-11111', 'network claude-bottle-x-11111']);
  });

  it('says what the object is, why it is an orphan and what --fix does', () => {
    const [finding] = findOrphans({ backend: 'docker', objects: [object('machine', 'claude-bottle-x-11111', 'x-11111', ROOT)], root: ROOT, known: new Set(), rootState: () => 'other', otherRoots: true });
    expect(finding).toMatchObject({
      detail: 'a docker container of bottle x-11111, labelled for this state root, which holds no plan or record of that bottle',
      fix: 'remove the container',
      repair: { type: 'remove-object', backend: 'docker', object: { name: 'claude-bottle-x-11111' } },
    });
  });
});

describe('rootStates', () => {
  it('tells this root (through a link too), a root that is gone and another one', async () => {
    const dir = await tempDir();
    const root = join(dir, 'root');
    await mkdir(root);
    await mkdir(join(dir, 'other'));
    await symlink(root, join(dir, 'link'));
    const state = rootStates(root);
    expect(state(join(dir, 'link'))).toBe('this');
    expect(state(join(dir, 'deleted'))).toBe('gone');
    expect(state(join(dir, 'other'))).toBe('other');
    expect(state('relative/path')).toBe('other');
  });
});
