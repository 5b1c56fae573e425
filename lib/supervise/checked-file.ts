/**
 * Opening a file of a bottle's supervise directory as hostile input: the
 * daemon that writes there runs in the sandbox, so a file might be a link, a
 * FIFO, a device or huge. A link is not followed, opening never blocks, and
 * anything but a regular file of at most MAX_FILE_BYTES is refused with an
 * InboxError naming it; a missing file is no error (nothing was written
 * yet). It does not parse what it reads.
 */
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { MAX_FILE_BYTES } from '../../daemons/supervise/format.js';
import { InboxError } from './inbox-error.js';

// O_NONBLOCK: opening a FIFO would otherwise wait for a writer; it does nothing to a regular file.
const NO_SURPRISES = constants.O_NOFOLLOW | constants.O_NONBLOCK;
export const READ_FLAGS = constants.O_RDONLY | NO_SURPRISES;
export const APPEND_FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | NO_SURPRISES;

export interface CheckedFile {
  readonly handle: FileHandle;
  readonly size: number;
}

/**
 * Opens `path` with `flags` (READ_FLAGS or APPEND_FLAGS) and checks it; undefined when it does not exist.
 * `label` names it in errors ("the message file /x/messages.jsonl").
 */
export async function openChecked(path: string, label: string, flags: number, mode = 0o600): Promise<CheckedFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, flags, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new InboxError('not-a-file', `${capitalised(label)} is a symbolic link, not a regular file, so it is not read; remove it.`, error);
    // EISDIR: a directory opened for writing; ENXIO: a socket, or a FIFO nobody reads.
    if (code === 'EISDIR' || code === 'ENXIO') throw new InboxError('not-a-file', `${capitalised(label)} is not a regular file (${code}), so it is not used; remove it.`, error);
    throw new InboxError('io-failed', `Cannot open ${label}: ${(error as Error).message}`, error);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new InboxError('not-a-file', `${capitalised(label)} is not a regular file (it is ${kindOf(stats)}), so it is not read; remove it.`);
    if (stats.size > MAX_FILE_BYTES) {
      throw new InboxError(
        'too-big',
        `${capitalised(label)} is ${stats.size} bytes, more than the ${MAX_FILE_BYTES} a supervise file may have, so it is not read; move it away to start a new one.`,
      );
    }
    return { handle, size: stats.size };
  } catch (error) {
    await handle.close();
    throw error instanceof InboxError ? error : new InboxError('io-failed', `Cannot read ${label}: ${(error as Error).message}`, error);
  }
}

/** The first `size` bytes of an open file, as text. */
export async function readText(file: CheckedFile, label: string): Promise<string> {
  const bytes = Buffer.alloc(file.size);
  let offset = 0;
  try {
    while (offset < bytes.length) {
      const { bytesRead } = await file.handle.read(bytes, offset, bytes.length - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
  } catch (error) {
    throw new InboxError('io-failed', `Cannot read ${label}: ${(error as Error).message}`, error);
  }
  return bytes.subarray(0, offset).toString('utf8');
}

/** The whole text of `path`, or undefined when it does not exist. */
export async function readChecked(path: string, label: string): Promise<string | undefined> {
  const file = await openChecked(path, label, READ_FLAGS);
  if (!file) return undefined;
  try {
    return await readText(file, label);
  } finally {
    await file.handle.close();
  }
}

function kindOf(stats: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  return 'a device';
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
