/**
 * Replaces a file so that a crash at any point leaves the old content or the
 * new, never a torn mix: temp file in the same directory, fsync, rename, fsync
 * the directory. It does not serialise concurrent writers to one path; callers
 * that need that (the record store) queue their writes themselves.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errnoCode } from './errors.js';

/**
 * Resolves once the new content and its directory entry are on disk. With
 * `owner`, the file is given to that user before it takes the path, so a
 * reader that is that user never finds it unreadable.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600, owner?: { uid: number; gid: number }): Promise<void> {
  const dir = dirname(path);
  // A random name: a leftover from a killed run can never clash with a later one.
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx', mode);
    await handle.writeFile(data);
    // open's mode passes through the umask; set the asked mode exactly.
    await handle.chmod(mode);
    if (owner && process.getuid?.() === 0) await handle.chown(owner.uid, owner.gid);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  await syncDir(dir);
}

/** Makes a rename in `dir` durable. Some filesystems cannot fsync a directory; there, rename is all we get. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    if (!isUnsupported(error)) throw error;
  } finally {
    await handle.close();
  }
}

function isUnsupported(error: unknown): boolean {
  const code = errnoCode(error);
  return code === 'EINVAL' || code === 'ENOTSUP' || code === 'EISDIR' || code === 'EPERM';
}
