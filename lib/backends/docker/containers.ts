/**
 * A container from a MachineSpec, through the Engine API, reused or recreated
 * by its config label (reuse.ts). Every container is hardened whatever the
 * spec says: no capabilities, no-new-privileges, IPv6 off (no link-local way
 * to the host's bridge); the spec adds limits, a read-only root, the
 * resolver's upstream, and files a new machine holds before it first starts.
 * Env values travel in the request body, never in argv or a process's env.
 * Every call may be sent twice (lib/docker/retry.ts): a create meets what
 * its lost answer made (create-container.ts), a start hears 304, a remove
 * 404, and each counts as done.
 */
import type Docker from 'dockerode';
import { TaskError } from '../../engine/index.js';
import { abortOn, call, docker, effect, isNotFound, saidBy, statusOf } from '../../docker/client.js';
import type { EnsureImage } from '../../docker/ship-image.js';
import { createContainer } from './create-container.js';
import { ensureVolumes } from './volumes.js';
import type { FilesRequest, MachineInfo, MachineSpec, MachineState, OpOptions, ReadMachineFile } from '../types.js';
import { readRegularFile } from '../../docker/archive.js';
import { machineLabels, reuseOrRecreate } from '../reuse.js';
import type { Inventory } from './inventory.js';

/** Puts several file sets into a container (running or not) in one archive: files.ts. */
export type PutAll = (machine: string, requests: readonly FilesRequest[], options: OpOptions, apart?: boolean) => Promise<void>;

/** `ensureImage`: for an engine not the process's, gets it the image from the process's engine (ship-image.ts). */
export function startContainer(spec: MachineSpec, inventory: Inventory, putAll: PutAll, options: OpOptions, ensureImage?: EnsureImage): Promise<MachineInfo> {
  const container = docker().getContainer(spec.name);
  const start = async () => {
    options.log?.(`start ${spec.name}`);
    // 304: running already (a start whose answer was lost, sent again).
    await effect(`docker start ${spec.name}`, () => container.start(abortOn(options.signal)), (e) => statusOf(e) === 304, options).catch(async (error: unknown) => {
      const gone = goneExtraNetwork(spec, error);
      if (!gone) throw error;
      // It names a network that is no more: made anew, with the network, on the next attempt.
      await effect(`docker rm ${spec.name}`, () => container.remove({ force: true, ...abortOn(options.signal) }), isNotFound, options);
      inventory.setContainer(spec.name, undefined);
      throw networkGone(gone, inventory, error);
    });
  };
  return reuseOrRecreate(spec, {
    async find() {
      const found = (await inventory.containers(options)).get(spec.name);
      // Never started: a run stopped between its create and its start, so its files may not all be in. Made anew.
      return found ? { labels: found.neverStarted ? null : found.labels, running: found.running, id: found.id } : null;
    },
    start: async () => {
      await start();
      const found = (await inventory.containers(options)).get(spec.name);
      if (found) inventory.setContainer(spec.name, { ...found, running: true });
    },
    remove: () => removeContainer(spec.name, inventory, options),
    async create() {
      await ensureImage?.(spec.image, options);
      await ensureVolumes(spec, options);
      options.log?.(`create ${spec.name} from ${spec.image}`);
      const made = await createContainer(spec, createBody(spec), options).catch(explainStorageOpt(spec));
      if (!made.reused) {
        await fillNew().catch(async (error: unknown) => {
          // Never started, so nothing of value: removed, so the next attempt makes it whole (one Docker cannot read stays so).
          await effect(`docker rm ${spec.name}`, () => container.remove({ force: true }), isNotFound, {}).catch(() => undefined);
          inventory.setContainer(spec.name, undefined);
          throw error;
        });
      }
      await start();
      inventory.setContainer(spec.name, { id: made.id, running: true, labels: machineLabels(spec), image: spec.image, neverStarted: false });
      return made;
    },
  });

  /** What a new container gets before its first start: its extra networks and its files. */
  async function fillNew(): Promise<void> {
    // Connecting a container that never ran only sets its config: sent twice, it is connected once.
    for (const net of spec.extraNetworks ?? []) {
      await call(`docker network connect ${net.name} ${spec.name}`, () => docker().getNetwork(net.name).connect({ Container: spec.name, ...abortOn(options.signal) }), options).catch((error: unknown) => {
        throw isNotFound(error) ? networkGone(net.name, inventory, error) : error;
      });
    }
    const read: ReadMachineFile = (path, maxBytes) => readRegularFile(spec.name, path, maxBytes, options.signal);
    const files = (await spec.initialFiles?.(read)) ?? [];
    if (files.length > 0) await putAll(spec.name, files, options, spec.readOnlyRoot);
  }
}

/** The extra network (the shared egress one) a 404 says is missing, if it is one of the spec's. */
function goneExtraNetwork(spec: MachineSpec, error: unknown): string | undefined {
  if (!isNotFound(error)) return undefined;
  const said = saidBy(error);
  return spec.extraNetworks?.map((n) => n.name).find((name) => said.includes(`network ${name} not found`));
}

/**
 * A network removed since it was made (another run's `down` of the last
 * bundle on the shared egress network): forgotten by the inventory, so the
 * next attempt (the daemons task's retry ensures the networks) makes it again.
 */
function networkGone(name: string, inventory: Inventory, cause: unknown): TaskError {
  inventory.setNetwork(name, undefined);
  return new TaskError(`the network ${name} is gone (${saidBy(cause)}); it is made again on the next attempt`, { code: 'NETWORK_GONE', transient: true, cause });
}

/** What is always set: nothing the tasks need is lost (they write files as their owner, never as a privileged root). */
const HARDENED: Docker.HostConfig = {
  CapDrop: ['ALL'],
  SecurityOpt: ['no-new-privileges'],
  Sysctls: { 'net.ipv6.conf.all.disable_ipv6': '1' },
};

function createBody(spec: MachineSpec): Docker.ContainerCreateOptions {
  const mib = (n: number) => n * 1024 * 1024;
  return {
    name: spec.name,
    Hostname: spec.name,
    Image: spec.image,
    Labels: machineLabels(spec),
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    ...(spec.user ? { User: spec.user } : {}),
    ...(spec.command ? { Cmd: spec.command } : {}),
    HostConfig: {
      ...HARDENED,
      NetworkMode: spec.network,
      // A name nothing answers fails in a second, not after the resolver's retries.
      ...(spec.dns ? { Dns: spec.dns, DnsOptions: ['timeout:1', 'attempts:1'] } : {}),
      // A CFS quota, not NanoCpus: Docker refuses more CPUs than the host has, a quota simply does not bind there.
      ...(spec.cpus ? { CpuPeriod: 100_000, CpuQuota: Math.round(spec.cpus * 100_000) } : {}),
      ...(spec.memoryMiB ? { Memory: mib(spec.memoryMiB), MemorySwap: mib(spec.memoryMiB) } : {}),
      ...(spec.pids ? { PidsLimit: spec.pids } : {}),
      ...(spec.diskMiB ? { StorageOpt: { size: `${spec.diskMiB}m` } } : {}),
      ...(spec.readOnlyRoot ? { ReadonlyRootfs: true, Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=16m' } } : {}),
      Mounts: [
        ...(spec.mounts ?? []).map((m) => ({ Type: 'bind' as const, Source: m.host, Target: m.guest, ReadOnly: m.readonly })),
        ...(spec.volumes ?? []).map((v) => ({ Type: 'volume' as const, Source: v.name, Target: v.guest, ReadOnly: false })),
      ],
    },
    NetworkingConfig: { EndpointsConfig: { [spec.network]: spec.ip ? { IPAMConfig: { IPv4Address: spec.ip } } : {} } },
  };
}

/** Docker's storage drivers cap a container's disk only in some setups (overlay2 on xfs with pquota, btrfs, zfs). */
function explainStorageOpt(spec: MachineSpec) {
  return (error: unknown): never => {
    if (spec.diskMiB && error instanceof TaskError && /storage-opt/.test(error.message)) {
      throw new TaskError(`${spec.name}: this Docker cannot cap a container's disk (${error.message}); remove \`disk\` from the bottle, or run Docker on a storage driver that can`, { code: 'DISK_CAP_UNSUPPORTED' });
    }
    throw error;
  };
}

export async function containerStates(names: readonly string[], inventory: Inventory, options: OpOptions & { fresh?: boolean } = {}): Promise<Map<string, MachineState>> {
  if (options.fresh) {
    const states = await Promise.all(names.map(async (n) => [n, await freshState(n, options)] as const));
    return new Map(states);
  }
  const known = await inventory.containers(options);
  return new Map(names.map((n) => [n, !known.has(n) ? 'missing' : known.get(n)!.running ? 'running' : 'stopped'] as const));
}

async function freshState(name: string, options: OpOptions): Promise<MachineState> {
  try {
    return (await call(`docker inspect ${name}`, () => docker().getContainer(name).inspect(abortOn(options.signal)), options)).State.Running ? 'running' : 'stopped';
  } catch (error) {
    if (isNotFound(error)) return 'missing';
    throw error;
  }
}

export async function removeContainer(name: string, inventory: Inventory, options: OpOptions): Promise<void> {
  options.log?.(`remove ${name}`);
  // 404: gone already (a second down, or a remove whose answer was lost).
  await effect(`docker rm ${name}`, () => docker().getContainer(name).remove({ force: true, v: true, ...abortOn(options.signal) }), isNotFound, options);
  inventory.setContainer(name, undefined);
}
