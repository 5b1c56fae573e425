/**
 * Starts a container idempotently: reused when its `bot-bottle.config` label
 * matches the wanted configuration (started if stopped), recreated otherwise.
 * Secrets reach the container through the docker CLI's environment (`-e NAME`),
 * never through argv.
 */
import type { MachineInfo, MachineSpec, MachineState, OpOptions } from '../types.js';
import { docker, inspectMany } from './cli.js';

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
  const { stdout } = await docker(runArgs(spec), { ...options, env: spec.env });
  const id = stdout.trim().split('\n').at(-1)!;
  for (const net of spec.extraNetworks ?? []) {
    await docker(['network', 'connect', ...(net.aliases ?? []).flatMap((a) => ['--alias', a]), net.name, spec.name], options);
  }
  return { name: spec.name, id, created: true };
}

function runArgs(spec: MachineSpec): string[] {
  const args = ['run', '--detach', '--name', spec.name, '--hostname', spec.name];
  for (const [k, v] of Object.entries({ ...spec.labels, [CONFIG_LABEL]: spec.configHash })) args.push('--label', `${k}=${v}`);
  args.push('--network', spec.network);
  if (spec.ip) args.push('--ip', spec.ip);
  for (const alias of spec.aliases ?? []) args.push('--network-alias', alias);
  for (const name of Object.keys(spec.env)) args.push('--env', name);
  if (spec.user) args.push('--user', spec.user);
  if (spec.cpus) args.push('--cpus', String(spec.cpus));
  if (spec.memoryMiB) args.push('--memory', `${spec.memoryMiB}m`);
  for (const m of spec.mounts ?? []) args.push('--mount', `type=bind,source=${m.host},target=${m.guest}${m.readonly ? ',readonly' : ''}`);
  args.push(spec.image, ...(spec.command ?? []));
  return args;
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
