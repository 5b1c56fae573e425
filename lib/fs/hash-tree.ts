/**
 * A content hash of a directory tree: relative paths, file modes and bytes, in
 * sorted order. Two trees hash the same exactly when copying one would give
 * the other. Symlinks are hashed by their target text, not followed.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export async function hashTree(root: string): Promise<string> {
  const h = createHash('sha256');
  const walk = async (rel: string): Promise<void> => {
    const entries = (await readdir(join(root, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      const full = join(root, path);
      const st = await lstat(full);
      if (e.isDirectory()) {
        h.update(`d ${path}\n`);
        await walk(path);
      } else if (e.isSymbolicLink()) {
        h.update(`l ${path} ${await readlink(full)}\n`);
      } else if (e.isFile()) {
        h.update(`f ${path} ${(st.mode & 0o777).toString(8)} ${st.size}\n`);
        h.update(await readFile(full));
      }
    }
  };
  await walk('');
  return h.digest('hex').slice(0, 32);
}
