/**
 * Who the bundle runs as: never root. Where bottle itself is not root, the
 * bundle runs as bottle's own user, which owns the bundle's config and log
 * directories already; where bottle is root, as an unprivileged id of its own
 * (65532, "nonroot"), and those directories are handed to it. These are
 * host ids: on a rootless Docker Engine the bundle's container user is the
 * engine's root, which is this same user (Backend.hostUserInGuest). It does
 * not start anything.
 */
import { chown, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface Owner {
  uid: number;
  gid: number;
}

export const NONROOT: Owner = { uid: 65532, gid: 65532 };

export function bundleOwner(): Owner {
  const uid = process.getuid?.() ?? NONROOT.uid;
  return uid === 0 ? NONROOT : { uid, gid: process.getgid?.() ?? NONROOT.gid };
}

/** Gives `dir` and everything in it to `owner` (a no-op when bottle already is that owner). */
export async function handOver(dir: string, owner: Owner): Promise<void> {
  if (process.getuid?.() !== 0) return;
  await chown(dir, owner.uid, owner.gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await handOver(path, owner);
    else if (!entry.isSymbolicLink()) await chown(path, owner.uid, owner.gid);
  }
}
