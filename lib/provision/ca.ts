/**
 * The bottle CA in the guest: `bot-bottle.crt` in the local CA directory
 * (Node reads it through NODE_EXTRA_CA_CERTS; a later update-ca-certificates
 * keeps it) and the system bundle = the image's roots (bottle CAs taken
 * out: lib/ca/roots.ts) + this CA. Root's files, in root's directories.
 */
import { basename, dirname } from 'node:path';
import type { FilesRequest } from '../backends/types.js';
import { imageRoots } from '../ca/roots.js';
import { SYSTEM_CA_BUNDLE, type BottlePlan } from '../plan/types.js';

export const MAX_BUNDLE_BYTES = 8 * 1024 * 1024;

/**
 * An image's roots: its system bundle read from the first of its machines
 * this process asks about, bottle CAs taken out (image tags carry a content
 * hash), so a batch reads and parses it once, not once per bottle. Undefined
 * when the image has no bundle.
 */
const roots = new Map<string, Promise<string | undefined>>();

export function imageRootsOf(image: string, read: (path: string, maxBytes: number) => Promise<Buffer | undefined>): Promise<string | undefined> {
  if (!roots.has(image)) {
    const found = read(SYSTEM_CA_BUNDLE, MAX_BUNDLE_BYTES).then((b) => (b === undefined ? undefined : imageRoots(b.toString('utf8')).replace(/\n*$/, '\n')));
    roots.set(image, found.catch((error: unknown) => (roots.delete(image), Promise.reject(error))));
  }
  return roots.get(image)!;
}

/** `roots`: the image's (imageRootsOf); undefined when it has none (then only Node trusts the CA). */
export function caFiles(plan: BottlePlan, pem: string, roots: string | undefined): FilesRequest[] {
  const local = basename(dirname(plan.guestCaPath));
  const requests: FilesRequest[] = [
    { dir: dirname(dirname(plan.guestCaPath)), user: 'root', entries: [{ path: local, dir: true, mode: 0o755 }, { path: `${local}/${basename(plan.guestCaPath)}`, content: pem, mode: 0o644 }] },
  ];
  if (roots !== undefined) {
    requests.push({ dir: dirname(SYSTEM_CA_BUNDLE), user: 'root', entries: [{ path: basename(SYSTEM_CA_BUNDLE), content: roots + pem, mode: 0o644 }] });
  }
  return requests;
}
