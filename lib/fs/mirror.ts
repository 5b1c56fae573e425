/**
 * A tree unpacked in a staging directory (extract-tree.ts) made what the host
 * has, without following a link at the destination: a whole tree swapped in
 * by rename, or the regular files at a tree's top mirrored one by one, a
 * file that only grew written on in place (its inode kept, so a reader
 * following it reads on) and any other replaced by rename. It reads and
 * writes only those paths.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { walkTree, type TreeEntry } from './walk-tree.js';

/** The regular files at the top of `dir`, hidden ones (temp files) left out. */
export async function topFiles(dir: string): Promise<Extract<TreeEntry, { kind: 'file' }>[]> {
  return (await walkTree(dir)).filter((e): e is Extract<TreeEntry, { kind: 'file' }> => e.kind === 'file' && !e.path.includes('/') && !e.path.startsWith('.'));
}

/** The tree at `from` in place of `to` (what was there moved to `trash`: a link there moved, never followed). */
export async function replaceTree(from: string, to: string, trash: string): Promise<void> {
  if (await lstat(to).catch(() => undefined)) await rename(to, trash);
  await rename(from, to);
}

/** Each of `from`'s top files (topFiles) that `keep` names mirrored into the directory `to`. */
export async function mirrorFiles(from: string, to: string, keep: (name: string) => boolean): Promise<void> {
  await mkdir(to, { recursive: true });
  if (!(await lstat(to)).isDirectory()) throw new Error(`${to} is not a directory (a link?): nothing is copied into it`);
  for (const e of await topFiles(from)) if (keep(e.path)) await mirrorFile(e.full, join(to, e.path));
}

/**
 * `to` made what `from` holds: where `from` only adds to it (a log written
 * on), the rest is written after its end (two mirrors at once write the
 * same bytes at the same place); else `from` takes its place by rename (a
 * log rotated, a link there).
 */
async function mirrorFile(from: string, to: string): Promise<void> {
  const now = await readFile(from);
  const before = await readPlainFile(to);
  if (!before || now.length < before.length || !now.subarray(0, before.length).equals(before)) return rename(from, to);
  if (now.length === before.length) return;
  const file = await open(to, constants.O_WRONLY | constants.O_NOFOLLOW);
  try {
    await file.write(now, before.length, now.length - before.length, before.length);
  } finally {
    await file.close();
  }
}

/** A regular file's bytes, never through a link; undefined for anything else. */
async function readPlainFile(path: string): Promise<Buffer | undefined> {
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => undefined);
  if (!file) return undefined;
  try {
    return (await file.stat()).isFile() ? await file.readFile() : undefined;
  } finally {
    await file.close();
  }
}
