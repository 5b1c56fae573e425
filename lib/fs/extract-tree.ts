/**
 * A tar archive of one tree, from a guest, unpacked on the host as `docker
 * cp` places a copy: into `dest` when that is a directory (merged with what
 * is there), else as `dest`. The archive is not trusted:
 * - every entry must sit under the first entry's top-level name, without a
 *   leading `/` and without `..`; any other entry refuses the whole archive;
 * - only directories, regular files and symlinks are made (the rest are left
 *   out and named); a symlink is made as a link and never followed: an entry
 *   whose way goes through a link (or a file) refuses the archive;
 * - permission bits only (no setuid, setgid, sticky), owned by whoever runs
 *   bottle, modification times kept.
 * Everything is unpacked first into a fresh directory next to where it goes,
 * where nothing but this unpacking writes, then moved into place by rename:
 * a link already standing where an entry goes is replaced, never written
 * through; a directory already there keeps its mode. A refused archive
 * leaves nothing behind. `dest` itself being a link is refused up front.
 * It does not read the guest (the backends do).
 */
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, open, readdir, rename, rm, stat, symlink, unlink, utimes } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { extract } from 'tar-stream';

export type ExtractErrorCode = 'UNSAFE_ENTRY' | 'BAD_DESTINATION' | 'CONFLICT';

export class ExtractError extends Error {
  readonly code: ExtractErrorCode;
  constructor(message: string, code: ExtractErrorCode) {
    super(message);
    this.name = 'ExtractError';
    this.code = code;
  }
}

export interface Extracted {
  /** Where the tree's top now is. */
  path: string;
  files: number;
  dirs: number;
  links: number;
  bytes: number;
  /** Entries of other kinds (devices, FIFOs, hard links), left out. */
  skipped: string[];
}

type Kind = 'dir' | 'file' | 'link';

const KINDS: Record<string, Kind> = { directory: 'dir', file: 'file', 'contiguous-file': 'file', symlink: 'link' };

/** What `dest` is for a copy: a directory to copy into, or a name to copy as. Refuses a link, and a name whose directory does not exist. */
export async function destinationOf(dest: string): Promise<{ into: boolean }> {
  const st = await lstatOrNone(dest);
  if (st?.isSymbolicLink()) {
    throw new ExtractError(`${dest} is a symbolic link, and bottle cp does not write through links; name the directory it points to instead`, 'BAD_DESTINATION');
  }
  if (st) return { into: st.isDirectory() };
  const parent = dirname(resolve(dest));
  if (!(await stat(parent).catch(() => undefined))?.isDirectory()) throw new ExtractError(`no such directory: ${parent} (where ${dest} would go); make it first`, 'BAD_DESTINATION');
  return { into: false };
}

export async function extractTree(archive: NodeJS.ReadableStream, dest: string): Promise<Extracted> {
  const { into } = await destinationOf(dest);
  const staging = await mkdtemp(join(into ? dest : dirname(resolve(dest)), '.bottle-cp-'));
  try {
    const tree = await unpack(archive, staging);
    if (!into && /\/$/.test(dest) && tree.kind !== 'dir') throw new ExtractError(`no such directory: ${dest}`, 'BAD_DESTINATION');
    const target = into ? join(dest, tree.top) : dest;
    const source = join(staging, tree.top);
    await conflicts(source, target, tree.kind);
    await place(source, target, tree.kind);
    return { path: target, ...tree.counts };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** An entry's name as path segments under the archive's root; refuses absolute names and `..`. */
export function entrySegments(name: string): string[] {
  if (name.startsWith('/')) throw new ExtractError(`the archive holds an absolute path, ${JSON.stringify(name)}; refused, nothing copied`, 'UNSAFE_ENTRY');
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new ExtractError(`the archive holds a path that climbs out with "..", ${JSON.stringify(name)}; refused, nothing copied`, 'UNSAFE_ENTRY');
  if (segments.length === 0) throw new ExtractError(`the archive holds an entry without a name (${JSON.stringify(name)}); refused, nothing copied`, 'UNSAFE_ENTRY');
  return segments;
}

/** The archive under `root` (a fresh directory): what its top is, and what was made. */
async function unpack(archive: NodeJS.ReadableStream, root: string) {
  const made = new Map<string, Kind>();
  const dirs = new Map<string, { mode: number; mtime?: Date }>();
  const counts = { files: 0, dirs: 0, links: 0, bytes: 0, skipped: [] as string[] };
  let top: string | undefined;
  const untar = extract();
  archive.on('error', (error: Error) => untar.destroy(error));
  archive.pipe(untar as unknown as NodeJS.WritableStream);

  /** Each directory on the way to `segments` is one this unpacking made, never a link or a file. */
  const parentsOf = async (segments: string[], name: string) => {
    for (let i = 1; i < segments.length; i++) {
      const up = segments.slice(0, i).join('/');
      const kind = made.get(up);
      if (kind === 'dir') continue;
      if (kind) throw new ExtractError(`the archive's ${JSON.stringify(name)} goes through ${up}, a ${kind === 'link' ? 'symbolic link' : 'file'}; refused, nothing copied`, 'UNSAFE_ENTRY');
      await mkdir(join(root, ...segments.slice(0, i)), { mode: 0o700 });
      made.set(up, 'dir');
      dirs.set(up, { mode: 0o755 });
    }
  };

  try {
    await unpackEntries();
  } catch (error) {
    // Stopped early: the rest of the archive is not read.
    (archive as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    throw error;
  }
  if (top === undefined) throw new ExtractError('the archive is empty: nothing to copy', 'UNSAFE_ENTRY');
  // Deepest first, once all is in: a read-only directory would refuse what goes into it. Every path here is a directory made above, with no link on the way.
  for (const [rel, { mode, mtime }] of [...dirs].sort((a, b) => b[0].split('/').length - a[0].split('/').length)) {
    const path = join(root, ...rel.split('/'));
    await chmod(path, mode);
    if (mtime) await utimes(path, mtime, mtime);
  }
  return { top, kind: made.get(top)!, counts };

  async function unpackEntries(): Promise<void> {
    for await (const entry of untar) {
      const { header } = entry;
      const segments = entrySegments(header.name);
      const rel = segments.join('/');
      top ??= segments[0]!;
      if (segments[0] !== top) throw new ExtractError(`the archive holds ${JSON.stringify(header.name)} beside ${top}: a copy is one tree; refused, nothing copied`, 'UNSAFE_ENTRY');
      const kind = KINDS[header.type ?? 'file'];
      if (!kind) {
        counts.skipped.push(rel);
        entry.resume();
        continue;
      }
      await parentsOf(segments, header.name);
      const path = join(root, ...segments);
      const mode = (header.mode ?? (kind === 'dir' ? 0o755 : 0o644)) & 0o777;
      const before = made.get(rel);
      if (before === 'dir' && kind === 'dir') {
        dirs.set(rel, { mode, ...(header.mtime ? { mtime: header.mtime } : {}) });
        entry.resume();
        continue;
      }
      if (before === 'dir' || (before && kind === 'dir')) throw new ExtractError(`the archive holds ${rel} as a directory and as a ${before === 'dir' ? kind : before}; refused, nothing copied`, 'UNSAFE_ENTRY');
      // A later entry of the same name wins, as with tar: only ever a file or link this unpacking made.
      if (before) await unlink(path);
      made.set(rel, kind);
      if (kind === 'dir') {
        counts.dirs++;
        await mkdir(path, { mode: 0o700 });
        dirs.set(rel, { mode, ...(header.mtime ? { mtime: header.mtime } : {}) });
        entry.resume();
      } else if (kind === 'link') {
        counts.links++;
        await symlink(header.linkname ?? '', path);
        entry.resume();
      } else {
        counts.files++;
        const file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        try {
          for await (const chunk of entry) {
            counts.bytes += (chunk as Buffer).length;
            await file.write(chunk as Buffer);
          }
          await file.chmod(mode);
          if (header.mtime) await file.utimes(header.mtime, header.mtime);
        } finally {
          await file.close();
        }
      }
    }
  }
}

/** Refuses, before anything moves, a directory meeting a file (or a file meeting a directory) anywhere on the way. */
async function conflicts(source: string, target: string, kind: Kind): Promise<void> {
  const there = await lstatOrNone(target);
  if (!there || there.isSymbolicLink()) return;
  if (kind === 'dir' && !there.isDirectory()) throw new ExtractError(`${target} is a file: a directory cannot replace it`, 'CONFLICT');
  if (kind !== 'dir' && there.isDirectory()) throw new ExtractError(`${target} is a directory: a ${kind === 'link' ? 'link' : 'file'} cannot replace it`, 'CONFLICT');
  if (kind !== 'dir') return;
  for (const name of await readdir(source)) await conflicts(join(source, name), join(target, name), kindOf(await lstat(join(source, name))));
}

/** Moves `source` to `target` by rename: a link there is replaced, a directory there is merged into, never followed. */
async function place(source: string, target: string, kind: Kind): Promise<void> {
  const there = await lstatOrNone(target);
  if (kind === 'dir' && there?.isDirectory()) {
    // Emptied into what is there, so writable by us whatever mode it came with; it goes afterwards.
    await chmod(source, 0o700);
    for (const name of await readdir(source)) await place(join(source, name), join(target, name), kindOf(await lstat(join(source, name))));
    return;
  }
  // rename(2) replaces a file or a link at `target` itself; a link that stands where a directory goes is removed first.
  if (kind === 'dir' && there) await unlink(target);
  await rename(source, target);
}

function kindOf(st: Stats): Kind {
  return st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'file';
}

async function lstatOrNone(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
