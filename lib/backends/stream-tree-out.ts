/**
 * A guest tree out to a host archive without staging it in the guest: the
 * user packs it with guest-copy.ts's pack script (GNU tar, links as links,
 * never followed) onto stdout, streamed by the backend's `execStream` into
 * a new host file. `copyOut` stages the archive in the guest's /tmp, which
 * in the bundle is a 16 MiB tmpfs: too small for a rotated audit log or a
 * repository. A stream carries no exit code, so the archive counts only
 * when the command said nothing on stderr and the archive ends as GNU tar
 * ends one (zero blocks, padded to its record): one cut short has neither.
 * It does not unpack the archive (lib/fs/extract-tree.ts does).
 */
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { TaskError } from '../engine/index.js';
import { packArgv } from './guest-copy.js';
import type { Backend } from './types.js';

/** GNU tar's end of archive: two zero blocks. */
const END_BYTES = 1024;

/** The tree at `path` packed by `user` into the new host file `archive` (0600); a missing path is a TaskError with code NO_SUCH_PATH. */
export async function streamTreeOut(backend: Backend, machine: string, path: string, archive: string, options: { user: string; signal?: AbortSignal }): Promise<void> {
  const proc = await backend.execStream(machine, packArgv(path, '-'), options);
  try {
    await pipeline(proc.stdout, createWriteStream(archive, { flags: 'wx', mode: 0o600 }));
  } finally {
    await proc.stop();
  }
  const said = (await proc.ended).stderr.trim();
  if (said.startsWith('no such file or directory')) throw new TaskError(`${machine}: ${said}`, { code: 'NO_SUCH_PATH' });
  if (said || !(await endsWhole(archive))) throw new TaskError(`could not copy ${machine}:${path} out: ${said || 'the archive was cut short'}`, { code: 'COPY_FAILED', transient: true });
}

async function endsWhole(archive: string): Promise<boolean> {
  const file = await open(archive, 'r');
  try {
    const { size } = await file.stat();
    if (size < END_BYTES || size % 512 !== 0) return false;
    const end = Buffer.alloc(END_BYTES);
    await file.read(end, 0, END_BYTES, size - END_BYTES);
    return end.every((byte) => byte === 0);
  } finally {
    await file.close();
  }
}
