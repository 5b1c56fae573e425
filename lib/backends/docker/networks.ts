/**
 * The bottle's two Docker networks: an `--internal` one of its own (no route
 * out; the agent and the bundle live there) and a bridge that only the bundle
 * joins (its way out). Reused when their settings match, recreated otherwise.
 */
import type { BottlePlan } from '../../plan/types.js';
import type { NetworkInfo, OpOptions } from '../types.js';
import { docker, inspectMany, type NetworkInspect } from './cli.js';

export async function ensureNetworks(plan: BottlePlan, options: OpOptions): Promise<NetworkInfo> {
  const found = await inspectMany<NetworkInspect>('network', [plan.network, plan.egressNetwork], options);
  const byName = new Map(found.map((n) => [n.Name, n]));
  const labels = Object.entries(plan.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);

  const internal = byName.get(plan.network);
  const fits = internal?.Internal && internal.IPAM.Config?.some((c) => c.Subnet === plan.subnet);
  if (internal && !fits) await removeNetwork(plan.network, internal, options);
  if (!internal || !fits) {
    const ipRange = plan.subnet!.replace(/\.0\/24$/, '.128/25'); // dynamic addresses stay clear of .2
    await docker(
      ['network', 'create', '--internal', '--subnet', plan.subnet!, '--gateway', plan.gateway!, '--ip-range', ipRange, ...labels, plan.network],
      options,
    );
  }
  if (!byName.has(plan.egressNetwork)) {
    await docker(['network', 'create', ...labels, plan.egressNetwork], options);
  }
  return { network: plan.network, egressNetwork: plan.egressNetwork, subnet: plan.subnet };
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
  return found.length === 2 && !!internal?.IPAM.Config?.some((c) => c.Subnet === plan.subnet);
}
