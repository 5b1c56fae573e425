/**
 * The subnets a run's bottles may take, per engine: each engine has its own
 * networks, so a subnet in use on one host is free on another.
 */
import { machineName } from '../lib/plan/slug.js';
import type { BottleInstance } from '../lib/plan/build-plan.js';
import type { RunBackends } from '../lib/backends/registry.js';
import type { BackendKind } from '../lib/backends/types.js';
import type { RunPlacement } from '../lib/hosts/place-run.js';
import { dockerBackendOnHost, engineKey } from '../lib/hosts/backend-of-plan.js';

export interface Subnets {
  /** By host name (undefined: not placed, the process's engine): CIDRs of networks not these bottles' own. */
  inUse: Map<string | undefined, string[]>;
  /** By slug: the subnet a bottle had on the host it is placed on. */
  previous: Map<string, string>;
}

/**
 * What each engine of the run holds: its networks' subnets, and the subnet
 * each bottle had there (its network, else its plan.json while it stays on
 * that engine). Bottles of other runs keep theirs reserved on their engine
 * while their plan.json exists. Only backends whose networks take subnets of
 * the pool are asked: a smolvm-only manifest runs without Docker. Keyed by
 * host name; the plans are those placement read.
 */
export async function gatherSubnets(
  instances: readonly BottleInstance[],
  slugs: readonly string[],
  kindOf: (i: BottleInstance) => BackendKind,
  backends: RunBackends,
  placement: RunPlacement,
): Promise<Subnets> {
  const out: Subnets = { inUse: new Map(), previous: new Map() };
  const hostOf = (slug: string) => placement.hostOf.get(slug);
  const takers = slugs.filter((_, n) => backends(kindOf(instances[n]!)).takesSubnets);
  const planOf = new Map(placement.known.map((k) => [k.slug, k.plan]));
  const others = placement.known.filter((k) => !slugs.includes(k.slug) && k.plan.network?.subnet).map((k) => k.plan);
  for (const host of new Set(takers.map((slug) => hostOf(slug)?.name))) {
    const mine = takers.filter((slug) => hostOf(slug)?.name === host);
    const placed = hostOf(mine[0]!);
    const engine = engineKey(placed);
    for (const slug of mine) {
      const before = planOf.get(slug);
      if (before?.network?.subnet && engineKey(before.host) === engine) out.previous.set(slug, before.network.subnet);
    }
    const backend = placed ? dockerBackendOnHost(backends, placed) : backends('docker');
    const slugOfNetwork = new Map(mine.map((s) => [machineName(s), s]));
    const found = await backend.subnetsInUse(new Set(slugOfNetwork.keys()));
    for (const [name, subnet] of found.own) out.previous.set(slugOfNetwork.get(name)!, subnet);
    const theirs = others.filter((plan) => engineKey(plan.host) === engine).map((plan) => plan.network.subnet!);
    out.inUse.set(host, [...found.inUse, ...theirs]);
  }
  return out;
}
