/**
 * The entries of a directory tree, in a stable order (sorted by name, a
 * directory before what it holds), symlinks as links (never followed).
 * Other kinds (sockets, FIFOs, devices) are left out: nothing reads them.
 */
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export type TreeEntry =
  | { kind: 'dir'; path: string; mode: number }
  | { kind: 'file'; path: string; mode: number; size: number; full: string }
  | { kind: 'link'; path: string; target: string };

/** `path` is relative to `root`, '/'-separated. */
export async function walkTree(root: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(root, rel))).sort();
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      const full = join(root, path);
      const st = await lstat(full);
      if (st.isDirectory()) {
        out.push({ kind: 'dir', path, mode: st.mode & 0o7777 });
        await walk(path);
      } else if (st.isSymbolicLink()) {
        out.push({ kind: 'link', path, target: await readlink(full) });
      } else if (st.isFile()) {
        out.push({ kind: 'file', path, mode: st.mode & 0o7777, size: st.size, full });
      }
    }
  };
  await walk('');
  return out;
}
