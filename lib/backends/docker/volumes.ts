/**
 * The named volumes a machine mounts (package caches, shared by a
 * manifest's bottles; a bundle's directories on a remote engine, its
 * bottle's own: lib/provision/bundle-sync.ts): made when missing, with their labels, and handed to
 * the machine's user before first use (a new volume's root is root's), by a
 * throwaway container of the machine's own image with no network that runs
 * one `chown` of the volume's root. Making one twice is harmless (Docker
 * returns the one there; the chown is the same). It never mounts a host path.
 * `down --purge` of a whole manifest removes the caches again by their
 * labels, `down` a bundle's.
 */
import { abortOn, call, docker, effect, isNotFound, statusOf } from '../../docker/client.js';
import type { MachineSpec, OpOptions } from '../types.js';

const MOUNT = '/volume';

export async function ensureVolumes(spec: MachineSpec, options: OpOptions): Promise<void> {
  for (const volume of spec.volumes ?? []) {
    const exists = await call(`docker volume inspect ${volume.name}`, () => docker().getVolume(volume.name).inspect(abortOn(options.signal)), options).then(
      () => true,
      (error: unknown) => {
        if (isNotFound(error)) return false;
        throw error;
      },
    );
    if (exists) continue;
    options.log?.(`create volume ${volume.name}`);
    await call(`docker volume create ${volume.name}`, () => docker().createVolume({ Name: volume.name, Labels: volume.labels, ...abortOn(options.signal) }), options);
    await handOver(spec, volume.name, options);
  }
}

/** The volume's root to the machine's user: `chown <user>: /volume` as root, in the machine's image, no network. */
async function handOver(spec: MachineSpec, volume: string, options: OpOptions): Promise<void> {
  const user = spec.user ?? 'root';
  // `name` (and its login group) or `uid:gid` as given.
  const owner = user.includes(':') ? user : `${user}:`;
  const what = `chown of volume ${volume} to ${user}`;
  const container = await call(`docker create (${what})`, () =>
    docker().createContainer({
      Image: spec.image,
      User: '0',
      Entrypoint: ['chown', owner, MOUNT],
      Cmd: [],
      Labels: { 'bot-bottle.role': 'volume-init' },
      HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'volume', Source: volume, Target: MOUNT }] },
      ...abortOn(options.signal),
    }),
  options);
  try {
    // 304: started already (a start whose answer was lost, sent again).
    await effect(`docker start (${what})`, () => container.start(abortOn(options.signal)), (e) => statusOf(e) === 304, options);
    const done = (await call(`docker wait (${what})`, () => container.wait(abortOn(options.signal)), options)) as { StatusCode: number };
    if (done.StatusCode !== 0) throw new Error(`${what} exited ${done.StatusCode}`);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** Removes the volumes that carry every one of `labels` (a manifest's caches); their names. */
export async function removeVolumesLabelled(labels: Record<string, string>, options: OpOptions): Promise<string[]> {
  const filters = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
  const listed = await call('docker volume ls', () => docker().listVolumes({ filters, ...abortOn(options.signal) }), options);
  const names = (listed.Volumes ?? []).map((v) => v.Name);
  for (const name of names) {
    options.log?.(`remove volume ${name}`);
    await effect(`docker volume rm ${name}`, () => docker().getVolume(name).remove(abortOn(options.signal)), isNotFound, options);
  }
  return names;
}
