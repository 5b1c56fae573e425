/**
 * `bottle cp` and streamed commands on smolvm. The guest side is
 * guest-copy.ts's (the agent's user packs and unpacks with tar, reached with
 * setpriv: guest.ts); the archive crosses with `machine cp` (or the API's
 * file routes), which reads and writes as root, so only ever a file in a
 * fresh staging directory of root's [docs/smolvm.md §6]. Streaming needs
 * `machine exec -i` (cli-stream.ts): `smolvm serve` buffers exec output, so
 * over its API a stream is refused with what to do.
 */
import { randomBytes } from 'node:crypto';
import { TaskError } from '../../engine/index.js';
import { packArgv, stageArgv, stageOutArgv, stagingDir, unpackIntoArgv, unstageArgv, USER_MISTAKE_EXIT } from '../guest-copy.js';
import type { GuestProcess, OpOptions, TreeArchive } from '../types.js';
import { asUser } from './guest.js';
import type { SmolvmTransport } from './transport.js';

type CopyOptions = OpOptions & { user: string };

export function smolvmCopies(transport: SmolvmTransport, requireRunning: (machine: string, op: OpOptions) => Promise<void>) {
  async function guestOk(machine: string, argv: string[], op: OpOptions, what: string, mistake?: 'NO_SUCH_PATH' | 'COPY_REFUSED'): Promise<void> {
    const result = await transport.exec(machine, argv, op);
    if (result.exitCode === 0) return;
    const said = (result.stderr || result.stdout).trim();
    if (mistake && result.exitCode === USER_MISTAKE_EXIT) throw new TaskError(`${machine}: ${said}`, { code: mistake });
    throw new TaskError(`could not ${what}: ${said || `exit code ${result.exitCode}`}`, { code: 'COPY_FAILED' });
  }

  async function staged(machine: string, use: (dir: string) => Promise<void>): Promise<void> {
    const dir = stagingDir(randomBytes(8).toString('hex'));
    try {
      await use(dir);
    } finally {
      // Not under the signal: an interrupted copy still takes its staging directory away.
      await transport.exec(machine, unstageArgv(dir), {}).catch(() => undefined);
    }
  }

  return {
    async copyOut(machine: string, path: string, archive: string, options: CopyOptions): Promise<void> {
      await requireRunning(machine, options);
      await staged(machine, async (dir) => {
        await guestOk(machine, stageOutArgv(dir, 'out.tar', options.user), options, `stage a copy of ${machine}:${path}`);
        await guestOk(machine, asUser(options.user, packArgv(path, `${dir}/out.tar`)), options, `pack ${machine}:${path}`, 'NO_SUCH_PATH');
        await transport.download(machine, `${dir}/out.tar`, archive, options);
      });
    },

    async copyIn(machine: string, archive: TreeArchive, path: string, options: CopyOptions): Promise<void> {
      await requireRunning(machine, options);
      await staged(machine, async (dir) => {
        await guestOk(machine, stageArgv(dir), options, `stage a copy into ${machine}`);
        // Root's, readable: the user unpacks it, and cannot move or change it.
        await transport.upload(machine, archive.file, `${dir}/in.tar`, { ...options, mode: 0o644, uid: 0, gid: 0 });
        await guestOk(machine, asUser(options.user, unpackIntoArgv(path, `${dir}/in.tar`, archive.top)), options, `copy into ${machine}:${path}`, 'COPY_REFUSED');
      });
    },

    async execStream(machine: string, argv: readonly string[], options: { user: string; signal?: AbortSignal }): Promise<GuestProcess> {
      if (!transport.stream) {
        throw new TaskError(`a streamed command in ${machine} (bottle port) needs the smolvm CLI on this host: smolvm serve's API returns a command's output only once it ends; unset BOTTLE_SMOLVM_URL`, { code: 'SMOLVM_STREAM_UNSUPPORTED' });
      }
      await requireRunning(machine, options.signal ? { signal: options.signal } : {});
      return transport.stream(machine, asUser(options.user, argv), options.signal ? { signal: options.signal } : {});
    },
  };
}
