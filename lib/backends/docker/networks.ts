/**
 * The bottle's two Docker networks: an `--internal` one of its own and a
 * bridge that only the bundle joins (its way out). The internal bridge has no
 * host address (`inhibit_ipv4`): with no gateway to answer, the agent has no
 * route to the host on any of its addresses, nor to other networks; it
 * reaches its bundle, on the same bridge, and nothing else. Reused when their
 * settings match, recreated otherwise.
 */
import { TaskError } from '../../engine/index.js';
import { hostIn } from '../../net/subnets.js';
import type { NetworkInfo, NetworkSpec, OpOptions } from '../types.js';
import { docker, inspectMany, type NetworkInspect } from '../../docker/cli.js';

const NO_HOST_ADDRESS = 'com.docker.network.bridge.inhibit_ipv4';

export async function ensureNetworks(spec: NetworkSpec, options: OpOptions): Promise<NetworkInfo> {
  const subnet = subnetOf(spec);
  const found = await inspectMany<NetworkInspect>('network', namesOf(spec), options);
  const byName = new Map(found.map((n) => [n.Name, n]));
  const labels = Object.entries(spec.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);

  const internal = byName.get(spec.name);
  let id = internal?.Id ?? null;
  if (internal && !fits(internal, spec)) await removeNetwork(spec.name, internal, options);
  if (!internal || !fits(internal, spec)) {
    const ipRange = subnet.replace(/\.0\/24$/, '.128/25'); // dynamic addresses stay clear of .2
    const made = await docker(
      ['network', 'create', '--internal', '--opt', `${NO_HOST_ADDRESS}=true`, '--subnet', subnet, '--gateway', hostIn(subnet, 1), '--ip-range', ipRange, ...labels, spec.name],
      options,
    );
    id = made.stdout.trim().split('\n').at(-1) ?? null;
  }
  if (!byName.has(spec.egress)) {
    await docker(['network', 'create', ...labels, spec.egress], options);
  }
  return { network: spec.name, id };
}

/** A Docker bottle's network always has a subnet of the pool (the plan gives one: takesSubnets). */
export function subnetOf(spec: NetworkSpec): string {
  if (!spec.subnet) throw new TaskError(`the Docker network ${spec.name} was planned without a subnet; run \`bottle up\` again to plan it anew`, { code: 'BAD_SPEC' });
  return spec.subnet;
}

function namesOf(spec: NetworkSpec): string[] {
  return [spec.name, spec.egress];
}

/** Internal, on the planned subnet, and without a host address on its bridge. */
function fits(network: NetworkInspect, spec: NetworkSpec): boolean {
  return network.Internal && network.Options?.[NO_HOST_ADDRESS] === 'true' && !!network.IPAM.Config?.some((c) => c.Subnet === spec.subnet);
}

export async function removeNetworks(spec: NetworkSpec, options: OpOptions): Promise<void> {
  const found = await inspectMany<NetworkInspect>('network', namesOf(spec), options);
  for (const n of found) await removeNetwork(n.Name, n, options);
}

/** Containers still attached (a test host, say) are disconnected first, or docker refuses. */
async function removeNetwork(name: string, network: NetworkInspect, options: OpOptions): Promise<void> {
  for (const c of Object.values(network.Containers ?? {})) {
    await docker(['network', 'disconnect', '--force', name, c.Name], { ...options, allow: [1] });
  }
  await docker(['network', 'rm', name], { ...options, allow: [1] });
}

export async function networksExist(spec: NetworkSpec, options: OpOptions = {}): Promise<boolean> {
  const names = namesOf(spec);
  const found = await inspectMany<NetworkInspect>('network', names, options);
  const internal = found.find((n) => n.Name === spec.name);
  return found.length === names.length && !!internal && fits(internal, spec);
}
