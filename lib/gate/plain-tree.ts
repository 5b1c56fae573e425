/**
 * A gate repository is written by the bundle, which runs in the sandbox's
 * reach; bottle's own git then works on it on the host, maybe as root. So
 * before it does, the tree must hold only directories and regular files: a
 * symlink (or a FIFO, socket or device) there could send the host's git to
 * write or wait where the bundle chose. It reads the tree; it changes nothing.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TaskError } from '../engine/index.js';

export async function assertPlainTree(root: string): Promise<void> {
  const bad = async (path: string): Promise<string | undefined> => {
    const st = await lstat(path);
    if (st.isSymbolicLink()) return `${path} is a symbolic link`;
    if (st.isFile()) return undefined;
    if (!st.isDirectory()) return `${path} is not a regular file or directory`;
    for (const name of await readdir(path)) {
      const found = await bad(join(path, name));
      if (found) return found;
    }
    return undefined;
  };
  const found = await bad(root);
  if (found) {
    throw new TaskError(`the gate repository ${root} holds what bottle's git must not follow: ${found}; it is left untouched. Look at it, then \`bottle down --purge\` this bottle to start it anew`, {
      code: 'GATE_TAMPERED',
    });
  }
}
