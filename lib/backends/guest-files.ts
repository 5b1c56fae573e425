/**
 * Files for a guest, as one tar archive made on the host: what the
 * provisioning tasks put in place (a prompt, skills, config files) is
 * described as entries under one guest directory, each owned by the guest
 * user. Every directory on the way to an entry is an entry too, before what
 * it holds: an archive unpacked by Docker (or by GNU tar) replaces a symlink
 * the guest put where a directory or file of ours goes, instead of writing
 * through it. A directory marked `fresh` is emptied first: for Docker, a
 * placeholder file entry of the same name comes before it (unpacking a file
 * over a directory removes the directory); other unpackers empty it
 * themselves (`freshDirs`). It reads host files; it writes nothing.
 */
import { readFile } from 'node:fs/promises';
import { dirname, posix } from 'node:path';
import { pack } from 'tar-stream';
import { walkTree } from '../fs/walk-tree.js';

export type GuestEntry =
  | { path: string; content: string | Buffer; mode: number }
  | { path: string; dir: true; mode: number; fresh?: boolean }
  | { path: string; link: string };

export interface Owner {
  uid: number;
  gid: number;
}

/** The entries of a host directory tree, as `<under>/...` (the directory itself first, fresh); `under` '': what it holds, into a directory that stays. */
export async function treeEntries(hostDir: string, under: string): Promise<GuestEntry[]> {
  const entries: GuestEntry[] = under ? [{ path: under, dir: true, mode: 0o755, fresh: true }] : [];
  for (const e of await walkTree(hostDir)) {
    const path = under ? `${under}/${e.path}` : e.path;
    if (e.kind === 'dir') entries.push({ path, dir: true, mode: e.mode & 0o777 });
    else if (e.kind === 'link') entries.push({ path, link: e.target });
    else entries.push({ path, content: await readFile(e.full), mode: e.mode & 0o777 });
  }
  return entries;
}

/** Requests for the same directory and user as one, in order: one archive each. */
export function mergeRequests<R extends { dir: string; user: string; entries: GuestEntry[] }>(requests: readonly R[]): R[] {
  const merged = new Map<string, R>();
  for (const r of requests) {
    const key = `${r.user}\0${r.dir}`;
    const into = merged.get(key);
    if (into) into.entries.push(...r.entries);
    else merged.set(key, { ...r, entries: [...r.entries] });
  }
  return [...merged.values()];
}

/** Directories of `entries` that must be emptied before unpacking. */
export function freshDirs(entries: readonly GuestEntry[]): string[] {
  return entries.flatMap((e) => ('dir' in e && e.fresh ? [e.path] : []));
}

export interface PackOptions {
  /** Docker: empty `fresh` directories by a placeholder entry (see above). */
  placeholders: boolean;
  /** The default mode of directories on the way that no entry names. */
  dirMode?: number;
}

/** Entries under `base` (a directory that exists: '' for the archive's root), owned by `owner`. */
export interface PackPart {
  base: string;
  owner: Owner;
  entries: readonly GuestEntry[];
}

/** The archive, every entry owned by `owner`, parents first. Paths are relative, '/'-separated, without `..`. */
export function packGuestFiles(entries: readonly GuestEntry[], owner: Owner, options: PackOptions): Promise<Buffer> {
  return packParts([{ base: '', owner, entries }], options);
}

/**
 * One archive of several parts, each under its own existing directory with
 * its own owner (a new machine's files: the user's home and root's CA). The
 * directories on the way inside a part are entries of it; its base is not.
 */
export async function packParts(parts: readonly PackPart[], options: PackOptions): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => archive.on('end', resolve).on('error', reject));
  for (const part of parts) addPart(archive, part, options);
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

function addPart(archive: ReturnType<typeof pack>, part: PackPart, options: PackOptions): void {
  const { entries } = part;
  const at = (path: string) => (part.base ? `${part.base}/${path}` : path);
  const named = new Set(entries.filter((e) => 'dir' in e).map((e) => e.path));
  const seen = new Set<string>();
  // Now, as `cp` would: a file dated 1970 looks stale to make and friends.
  const base = { uid: part.owner.uid, gid: part.owner.gid, mtime: new Date() };
  const dir = (path: string, mode: number) => {
    if (seen.has(path)) return;
    seen.add(path);
    archive.entry({ ...base, name: `${at(path)}/`, type: 'directory', mode });
  };
  const parents = (path: string) => {
    const up = dirname(path);
    if (up === '.') return;
    parents(up);
    if (!named.has(up)) dir(up, options.dirMode ?? 0o755);
    else if (!seen.has(up)) throw new Error(`guest entry ${path} comes before its directory ${up}`);
  };
  for (const e of entries) {
    if (e.path.startsWith('/') || posix.normalize(e.path).split('/').includes('..')) throw new Error(`not a relative guest path: ${e.path}`);
    parents(e.path);
    if ('dir' in e) {
      if (e.fresh && options.placeholders) archive.entry({ ...base, name: at(e.path), type: 'file', mode: 0o600, size: 0 }, '');
      dir(e.path, e.mode);
    } else if ('link' in e) {
      archive.entry({ ...base, name: at(e.path), type: 'symlink', linkname: e.link });
    } else {
      archive.entry({ ...base, name: at(e.path), type: 'file', mode: e.mode }, Buffer.from(e.content));
    }
  }
}
