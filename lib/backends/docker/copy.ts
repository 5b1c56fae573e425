/**
 * `bottle cp` on Docker: the guest side is guest-copy.ts's (the agent's user
 * packs and unpacks with tar), and the archive crosses through the Engine
 * API's archive endpoints into or out of a fresh staging directory of
 * root's. Docker's own unpacking is never pointed at a path the guest could
 * have linked elsewhere: it only ever writes into that new directory. Root
 * in the container has no capabilities (no chown, no reading what is not
 * its own), so whatever must belong to the user there is made by Docker.
 */
import { randomBytes } from 'node:crypto';
import { TaskError } from '../../engine/index.js';
import { putFile, saveFile } from '../../docker/archive-file.js';
import { execInContainer } from '../../docker/exec.js';
import { packArgv, stageArgv, stagingDir, unpackIntoArgv, unstageArgv, USER_MISTAKE_EXIT } from '../guest-copy.js';
import type { FilesRequest, OpOptions, TreeArchive } from '../types.js';

type CopyOptions = OpOptions & { user: string };

/** `putFiles`: the backend's own (files.ts), which makes a file owned by a user: root in a container has no CAP_CHOWN. */
export function dockerCopies(putFiles: (container: string, files: FilesRequest, options: OpOptions) => Promise<void>) {
  return {
    async copyOut(container: string, path: string, archive: string, options: CopyOptions): Promise<void> {
      await staged(container, options, async (dir) => {
        await guestOk(container, stageArgv(dir), 'root', options, `stage a copy of ${container}:${path}`);
        // The user's, empty, in root's directory: the user packs into it and can neither move nor replace it.
        await putFiles(container, { dir, entries: [{ path: 'out.tar', content: '', mode: 0o600 }], user: options.user }, options);
        await guestOk(container, packArgv(path, `${dir}/out.tar`), options.user, options, `pack ${container}:${path}`, 'NO_SUCH_PATH');
        await saveFile(container, `${dir}/out.tar`, archive, options.signal);
      });
    },

    async copyIn(container: string, archive: TreeArchive, path: string, options: CopyOptions): Promise<void> {
      await staged(container, options, async (dir) => {
        await guestOk(container, stageArgv(dir), 'root', options, `stage a copy into ${container}`);
        // Root's, readable: the user unpacks it, and cannot move or change it.
        await putFile(container, dir, archive.file, { name: 'in.tar', mode: 0o644, uid: 0, gid: 0, ...(options.signal ? { signal: options.signal } : {}) });
        await guestOk(container, unpackIntoArgv(path, `${dir}/in.tar`, archive.top), options.user, options, `copy into ${container}:${path}`, 'COPY_REFUSED');
      });
    },
  };
}

async function staged(container: string, options: OpOptions, use: (dir: string) => Promise<void>): Promise<void> {
  const dir = stagingDir(randomBytes(8).toString('hex'));
  try {
    await use(dir);
  } finally {
    // Not under the signal: an interrupted copy still takes its staging directory away.
    await execInContainer(container, unstageArgv(dir), { user: 'root' }).catch(() => undefined);
  }
}

/** Runs a guest script; a path the user named wrongly (the script says which) is a TaskError with `mistake` as its code, anything else COPY_FAILED. */
async function guestOk(container: string, argv: string[], user: string, options: OpOptions, what: string, mistake?: 'NO_SUCH_PATH' | 'COPY_REFUSED'): Promise<void> {
  const result = await execInContainer(container, argv, { user, ...(options.signal ? { signal: options.signal } : {}) });
  if (result.exitCode === 0) return;
  const said = (result.stderr || result.stdout).trim();
  if (mistake && result.exitCode === USER_MISTAKE_EXIT) throw new TaskError(`${container}: ${said}`, { code: mistake });
  throw new TaskError(`could not ${what}: ${said || `exit code ${result.exitCode}`}`, { code: 'COPY_FAILED' });
}
