/**
 * The IPv4 subnets Docker networks use now, split into the bottles' own (by
 * network name) and everyone else's, from the run's inventory (one listing).
 * The plan picks new subnets around the latter and keeps the former.
 */
import type { OpOptions, SubnetsInUse } from '../types.js';
import type { Inventory } from './inventory.js';

export async function dockerSubnets(ownNetworks: ReadonlySet<string>, inventory: Inventory, options: OpOptions = {}): Promise<SubnetsInUse> {
  const inUse: string[] = [];
  const own = new Map<string, string>();
  for (const [name, n] of await inventory.networks(options)) {
    if (ownNetworks.has(name) && n.subnets[0]) own.set(name, n.subnets[0]);
    else inUse.push(...n.subnets);
  }
  return { inUse, own };
}
