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

export const CONFIG_LABEL = 'bot-bottle.config';

interface ContainerInspect {
  Id: string;
  Name: string;
  State: { Status: string; Running: boolean };
  Config: { Labels: Record<string, string> | null };
}

export async function startContainer(spec: MachineSpec, options: OpOptions): Promise<MachineInfo> {
  const [existing] = await inspectMany<ContainerInspect>('container', [spec.name], options);
  if (existing && existing.Config.Labels?.[CONFIG_LABEL] === spec.configHash) {
    if (!existing.State.Running) await docker(['start', spec.name], options);
    return { name: spec.name, id: existing.Id, created: false };
  }
  if (existing) await docker(['rm', '--force', spec.name], options);
  const { stdout } = await withEnvFile(spec.env, (envArgs) => docker(runArgs(spec, envArgs), options).catch(explainStorageOpt(spec)));
  const id = stdout.trim().split('\n').at(-1)!;
  for (const net of spec.extraNetworks ?? []) {
    await docker(['network', 'connect', net.name, spec.name], options);
  }
  return { name: spec.name, id, created: true };
}

/** What is always set: nothing the tasks need is lost (they write as the file's owner, never as a privileged root). */
const HARDENED = ['--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--sysctl', 'net.ipv6.conf.all.disable_ipv6=1'];

function runArgs(spec: MachineSpec, envArgs: string[]): string[] {
  const args = ['run', '--detach', '--name', spec.name, '--hostname', spec.name, ...HARDENED, ...envArgs];
  for (const [k, v] of Object.entries({ ...spec.labels, [CONFIG_LABEL]: spec.configHash })) args.push('--label', `${k}=${v}`);
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
