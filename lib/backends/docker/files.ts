/**
 * Files into and out of a container by the Engine API's archive endpoints:
 * an archive made on the host (guest-files.ts), owned by the guest user's
 * uid and gid, read from the container's /etc/passwd once per container.
 * Docker unpacks it inside the container and replaces what stands in the
 * way instead of writing through it, so no link the guest made is followed.
 */
import { TaskError } from '../../engine/index.js';
import { putArchive, readRegularFile } from '../../docker/archive.js';
import { mergeRequests, packGuestFiles, packParts, type Owner } from '../guest-files.js';
import type { FilesRequest, OpOptions } from '../types.js';
import type { Inventory } from './inventory.js';

export function dockerFiles(inventory: Inventory) {
  const passwd = new Map<string, Promise<string>>();

  /** A user's ids, from /etc/passwd read once per image (a machine's users are its image's). */
  async function ownerOf(machine: string, user: string, options: OpOptions): Promise<Owner> {
    if (user === 'root' || user === '0') return { uid: 0, gid: 0 };
    const numeric = /^(\d+)(?::(\d+))?$/.exec(user);
    if (numeric) return { uid: Number(numeric[1]), gid: Number(numeric[2] ?? numeric[1]) };
    const key = (await inventory.containers(options)).get(machine)?.image ?? machine;
    if (!passwd.has(key)) passwd.set(key, readRegularFile(machine, '/etc/passwd', 1024 * 1024, options.signal).then((b) => b?.toString('utf8') ?? ''));
    const line = (await passwd.get(key)!).split('\n').find((l) => l.split(':')[0] === user);
    const [, , uid, gid] = line?.split(':') ?? [];
    if (uid === undefined || gid === undefined) throw new TaskError(`there is no user ${user} in ${machine} (/etc/passwd); use an image that has it, or set the bottle's user`, { code: 'NO_SUCH_USER' });
    return { uid: Number(uid), gid: Number(gid) };
  }

  async function putFiles(machine: string, files: FilesRequest, options: OpOptions): Promise<void> {
    const archive = await packGuestFiles(files.entries, await ownerOf(machine, files.user, options), { placeholders: true });
    options.log?.(`put ${[...new Set(files.entries.map((e) => e.path.split('/')[0]))].join(', ')} into ${machine}:${files.dir}`);
    await putArchive(machine, files.dir, archive, options.signal);
  }

  return {
    putFiles,
    /**
     * Several requests as one archive unpacked at `/` (a new machine's files:
     * one unpack, not one per request). `apart`: one archive per directory,
     * for a machine with a read-only root, which Docker unpacks nothing into
     * (each directory must then be a writable mount).
     */
    async putAll(machine: string, requests: readonly FilesRequest[], options: OpOptions, apart = false): Promise<void> {
      if (apart) {
        for (const request of mergeRequests(requests)) await putFiles(machine, request, options);
        return;
      }
      const parts = await Promise.all(mergeRequests(requests).map(async (r) => ({ base: r.dir.replace(/^\/+|\/+$/g, ''), owner: await ownerOf(machine, r.user, options), entries: r.entries })));
      options.log?.(`put ${requests.length} file set(s) into ${machine}:/`);
      await putArchive(machine, '/', await packParts(parts, { placeholders: true }), options.signal);
    },
    /** Docker reads as root; a link or anything but a small regular file reads as nothing. */
    readFile: (machine: string, path: string, options: OpOptions & { maxBytes: number }) => readRegularFile(machine, path, options.maxBytes, options.signal),
  };
}
