/**
 * A content hash of a directory tree: relative paths, file modes and bytes, in
 * sorted order. Two trees hash the same exactly when copying one would give
 * the other. Symlinks are hashed by their target text, not followed.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { walkTree } from './walk-tree.js';

export async function hashTree(root: string): Promise<string> {
  const h = createHash('sha256');
  for (const e of await walkTree(root)) {
    if (e.kind === 'dir') h.update(`d ${e.path}\n`);
    else if (e.kind === 'link') h.update(`l ${e.path} ${e.target}\n`);
    else {
      h.update(`f ${e.path} ${(e.mode & 0o777).toString(8)} ${e.size}\n`);
      h.update(await readFile(e.full));
    }
  }
  return h.digest('hex').slice(0, 32);
}
