/**
 * The subnets a run's bottles may take, per engine: each engine has its own
 * networks, so a subnet in use on one host is free on another.
 */
import { bottleSlugs, readPlan } from '../lib/plan/known-bottles.js';
import { machineName } from '../lib/plan/slug.js';
import type { BottlePlan } from '../lib/plan/types.js';
import type { BottleInstance } from '../lib/plan/build-plan.js';
import type { RunBackends } from '../lib/backends/registry.js';
import type { BackendKind } from '../lib/backends/types.js';
import type { RunPlacement } from '../lib/hosts/place-run.js';
import { dockerBackendOnHost } from '../lib/hosts/backend-of-plan.js';

export interface Subnets {
  /** By host name (undefined: not placed, the process's engine): CIDRs of networks not these bottles' own. */
  inUse: Map<string | undefined, string[]>;
  /** By slug: the subnet a bottle had on the host it is placed on. */
  previous: Map<string, string>;
}

/**
 * What each engine of the run holds: its networks' subnets, and the subnet
 * each bottle had there (its network, else its plan.json while it stays on
 * that host). Bottles of other runs keep theirs reserved on their host while
 * their plan.json exists. Only backends whose networks take subnets of the
 * pool are asked: a smolvm-only manifest runs without Docker.
 */
export async function gatherSubnets(
  instances: readonly BottleInstance[],
  slugs: readonly string[],
  kindOf: (i: BottleInstance) => BackendKind,
  backends: RunBackends,
  placement: RunPlacement,
  stateRoot: string,
): Promise<Subnets> {
  const out: Subnets = { inUse: new Map(), previous: new Map() };
  const hostName = (slug: string) => placement.hostOf.get(slug)?.name;
  const takers = slugs.filter((_, n) => backends(kindOf(instances[n]!)).takesSubnets);
  const others = bottleSlugs(stateRoot)
    .filter((slug) => !slugs.includes(slug))
    .map((slug) => readPlan(stateRoot, slug))
    .filter((plan): plan is BottlePlan => !!plan?.network?.subnet);
  for (const host of new Set(takers.map(hostName))) {
    const mine = takers.filter((slug) => hostName(slug) === host);
    for (const slug of mine) {
      const before = readPlan(stateRoot, slug);
      if (before?.network?.subnet && before.host?.name === host) out.previous.set(slug, before.network.subnet);
    }
    const placed = placement.hostOf.get(mine[0]!);
    const backend = placed ? dockerBackendOnHost(backends, placed) : backends('docker');
    const slugOfNetwork = new Map(mine.map((s) => [machineName(s), s]));
    const found = await backend.subnetsInUse(new Set(slugOfNetwork.keys()));
    for (const [name, subnet] of found.own) out.previous.set(slugOfNetwork.get(name)!, subnet);
    const theirs = others.filter((plan) => (plan.host?.name ?? undefined) === host || (host === undefined && !plan.host)).map((plan) => plan.network.subnet!);
    out.inUse.set(host, [...found.inUse, ...theirs]);
  }
  return out;
}
