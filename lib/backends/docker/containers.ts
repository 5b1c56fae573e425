/**
 * Starts a container idempotently: reused when its `bot-bottle.config` label
 * matches the wanted configuration (started if stopped), recreated otherwise.
 * Every container is hardened whatever the spec says: no capabilities,
 * no-new-privileges, IPv6 off (no link-local way to the host's bridge); the
 * spec adds limits, a read-only root and the resolver's upstream. Secrets
 * reach the container through an env file, never argv (env-file.ts).
 */
import { TaskError } from '../../engine/index.js';
import type { MachineInfo, MachineSpec, MachineState, OpOptions } from '../types.js';
import { docker, inspectMany } from '../../docker/cli.js';
import { withEnvFile } from './env-file.js';
import { machineLabels, reuseOrRecreate } from '../reuse.js';

interface ContainerInspect {
  Id: string;
  Name: string;
  State: { Status: string; Running: boolean };
  Config: { Labels: Record<string, string> | null };
}

export function startContainer(spec: MachineSpec, options: OpOptions): Promise<MachineInfo> {
  return reuseOrRecreate(spec, {
    async find() {
      const [found] = await inspectMany<ContainerInspect>('container', [spec.name], options);
      return found ? { labels: found.Config.Labels, running: found.State.Running, id: found.Id } : null;
    },
    start: async () => void (await docker(['start', spec.name], options)),
    remove: async () => void (await docker(['rm', '--force', spec.name], options)),
    async create() {
      const { stdout } = await withEnvFile(spec.env, (envArgs) => docker(runArgs(spec, envArgs), options).catch(explainStorageOpt(spec)));
      for (const net of spec.extraNetworks ?? []) await docker(['network', 'connect', net.name, spec.name], options);
      return { id: stdout.trim().split('\n').at(-1)! };
    },
  });
}

/** What is always set: nothing the tasks need is lost (they write as the file's owner, never as a privileged root). */
const HARDENED = ['--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--sysctl', 'net.ipv6.conf.all.disable_ipv6=1'];

function runArgs(spec: MachineSpec, envArgs: string[]): string[] {
  const args = ['run', '--detach', '--name', spec.name, '--hostname', spec.name, ...HARDENED, ...envArgs];
  for (const [k, v] of Object.entries(machineLabels(spec))) args.push('--label', `${k}=${v}`);
  args.push('--network', spec.network);
  if (spec.ip) args.push('--ip', spec.ip);
  for (const server of spec.dns ?? []) args.push('--dns', server);
  if (spec.user) args.push('--user', spec.user);
  // A CFS quota, not --cpus: Docker refuses --cpus above the host's count, a quota simply does not bind there.
  if (spec.cpus) args.push('--cpu-period', '100000', '--cpu-quota', String(Math.round(spec.cpus * 100_000)));
  if (spec.memoryMiB) args.push('--memory', `${spec.memoryMiB}m`, '--memory-swap', `${spec.memoryMiB}m`);
  if (spec.pids) args.push('--pids-limit', String(spec.pids));
  if (spec.diskMiB) args.push('--storage-opt', `size=${spec.diskMiB}m`);
  if (spec.readOnlyRoot) args.push('--read-only', '--tmpfs', '/tmp:rw,nosuid,nodev,size=16m');
  for (const m of spec.mounts ?? []) args.push('--mount', `type=bind,source=${m.host},target=${m.guest}${m.readonly ? ',readonly' : ''}`);
  args.push(spec.image, ...(spec.command ?? []));
  return args;
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

export async function containerStates(names: readonly string[], options: OpOptions = {}): Promise<Map<string, MachineState>> {
  const found = await inspectMany<ContainerInspect>('container', names, options);
  const byName = new Map(found.map((c) => [c.Name.replace(/^\//, ''), c]));
  return new Map(
    names.map((n) => {
      const c = byName.get(n);
      return [n, !c ? 'missing' : c.State.Running ? 'running' : 'stopped'] as const;
    }),
  );
}

export async function removeContainer(name: string, options: OpOptions): Promise<void> {
  await docker(['rm', '--force', '--volumes', name], { ...options, allow: [1] });
}
