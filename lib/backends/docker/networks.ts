/**
 * The bottle's two Docker networks: an `--internal` one of its own and a
 * bridge that only the bundle joins (its way out). The internal bridge has no
 * host address (`inhibit_ipv4`): with no gateway to answer, the agent has no
 * route to the host on any of its addresses, nor to other networks; it
 * reaches its bundle, on the same bridge, and nothing else. Reused when their
 * settings match, recreated otherwise.
 */
import type { BottlePlan } from '../../plan/types.js';
import type { NetworkInfo, OpOptions } from '../types.js';
import { docker, inspectMany, type NetworkInspect } from './cli.js';

const NO_HOST_ADDRESS = 'com.docker.network.bridge.inhibit_ipv4';

export async function ensureNetworks(plan: BottlePlan, options: OpOptions): Promise<NetworkInfo> {
  const found = await inspectMany<NetworkInspect>('network', [plan.network, plan.egressNetwork], options);
  const byName = new Map(found.map((n) => [n.Name, n]));
  const labels = Object.entries(plan.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);

  const internal = byName.get(plan.network);
  let id = internal?.Id ?? null;
  if (internal && !fits(internal, plan)) await removeNetwork(plan.network, internal, options);
  if (!internal || !fits(internal, plan)) {
    const ipRange = plan.subnet!.replace(/\.0\/24$/, '.128/25'); // dynamic addresses stay clear of .2
    const made = await docker(
      ['network', 'create', '--internal', '--opt', `${NO_HOST_ADDRESS}=true`, '--subnet', plan.subnet!, '--gateway', plan.gateway!, '--ip-range', ipRange, ...labels, plan.network],
      options,
    );
    id = made.stdout.trim().split('\n').at(-1) ?? null;
  }
  if (!byName.has(plan.egressNetwork)) {
    await docker(['network', 'create', ...labels, plan.egressNetwork], options);
  }
  return { network: plan.network, id, egressNetwork: plan.egressNetwork, subnet: plan.subnet };
}

/** Internal, on the planned subnet, and without a host address on its bridge. */
function fits(network: NetworkInspect, plan: BottlePlan): boolean {
  return network.Internal && network.Options?.[NO_HOST_ADDRESS] === 'true' && !!network.IPAM.Config?.some((c) => c.Subnet === plan.subnet);
}

export async function removeNetworks(plan: BottlePlan, options: OpOptions): Promise<void> {
  const found = await inspectMany<NetworkInspect>('network', [plan.network, plan.egressNetwork], options);
  for (const n of found) await removeNetwork(n.Name, n, options);
}

/** Containers still attached (a test host, say) are disconnected first, or docker refuses. */
async function removeNetwork(name: string, network: NetworkInspect, options: OpOptions): Promise<void> {
  for (const c of Object.values(network.Containers ?? {})) {
    await docker(['network', 'disconnect', '--force', name, c.Name], { ...options, allow: [1] });
  }
  await docker(['network', 'rm', name], { ...options, allow: [1] });
}

export async function networksExist(plan: BottlePlan, options: OpOptions = {}): Promise<boolean> {
  const found = await inspectMany<NetworkInspect>('network', [plan.network, plan.egressNetwork], options);
  const internal = found.find((n) => n.Name === plan.network);
  return found.length === 2 && !!internal && fits(internal, plan);
}
