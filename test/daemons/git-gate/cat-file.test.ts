/** readObjects against a real repo: one git process, big blobs in pieces, unread content skipped. */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObjects } from '../../../daemons/git-gate/cat-file.js';
import type { GitContext } from '../../../daemons/git-gate/git-command.js';
import { GitCommandError } from '../../../daemons/git-gate/git-command.js';
import { listNewObjects } from '../../../daemons/git-gate/new-objects.js';
import { tempDir } from '../../state/temp-dir.js';
import { gitClient } from './git-client.js';

async function repoWith(files: Record<string, string | Buffer>): Promise<{ context: GitContext; ids: Record<string, string> }> {
  const git = await gitClient();
  const repo = join(await tempDir(), 'repo');
  await git.ok(['init', '--quiet', repo]);
  await git.commit(repo, files);
  const ids: Record<string, string> = { commit: (await git.ok(['rev-parse', 'HEAD'], repo)).trim(), tree: (await git.ok(['rev-parse', 'HEAD^{tree}'], repo)).trim() };
  for (const path of Object.keys(files)) ids[path] = (await git.ok(['rev-parse', `HEAD:${path}`], repo)).trim();
  return { context: { env: { PATH: process.env['PATH'], GIT_CONFIG_NOSYSTEM: '1', HOME: repo }, cwd: repo }, ids };
}

describe('readObjects', () => {
  it('streams a big blob in pieces, whole and in order, and the next object after it', async () => {
    const big = randomBytes(3 * 1024 * 1024);
    const { context, ids } = await repoWith({ 'big.bin': big, 'small.txt': 'small\n' });
    const seen: { type: string; size: number; pieces: number; content: Buffer }[] = [];
    for await (const object of readObjects([ids['big.bin']!, ids['small.txt']!], context)) {
      const pieces: Buffer[] = [];
      for await (const piece of object.content) pieces.push(Buffer.from(piece));
      seen.push({ type: object.type, size: object.size, pieces: pieces.length, content: Buffer.concat(pieces) });
    }
    expect(seen.map(({ type, size }) => [type, size])).toEqual([['blob', big.length], ['blob', 6]]);
    expect(seen[0]!.pieces).toBeGreaterThan(1);
    expect(seen[0]!.content.equals(big)).toBe(true);
    expect(seen[1]!.content.toString()).toBe('small\n');
  });

  it('skips what an iteration leaves unread, and stops git when the loop is left early', async () => {
    const { context, ids } = await repoWith({ 'a.bin': randomBytes(200_000), 'b.txt': 'bee\n' });
    const types: string[] = [];
    for await (const object of readObjects([ids['commit']!, ids['tree']!, ids['a.bin']!, ids['b.txt']!], context)) {
      types.push(object.type);
      if (object.type === 'blob' && object.size === 4) {
        for await (const piece of object.content) expect(piece.toString()).toBe('bee\n');
      }
    }
    expect(types).toEqual(['commit', 'tree', 'blob', 'blob']);
    for await (const object of readObjects([ids['a.bin']!, ids['b.txt']!], context)) {
      expect(object.type).toBe('blob');
      break;
    }
  });

  it('fails naming the object git does not have', async () => {
    const { context } = await repoWith({ 'a.txt': 'a' });
    const missing = 'e'.repeat(40);
    const reading = (async () => {
      for await (const _object of readObjects([missing], context)) return;
    })();
    await expect(reading).rejects.toThrow(GitCommandError);
    await expect(reading).rejects.toThrow(`object ${missing}: ${missing} missing`);
  });
});

describe('listNewObjects', () => {
  it('lists what a tip brings, with paths, and nothing that a ref already reaches', async () => {
    const { context, ids } = await repoWith({ 'dir/a.txt': 'a\n' });
    const objects = await listNewObjects(ids['commit']!, context);
    // Everything is reachable from main already.
    expect(objects).toEqual([]);
  });
});
