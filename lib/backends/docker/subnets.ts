/**
 * The IPv4 subnets Docker networks use now, split into the bottles' own (by
 * network name) and everyone else's. The plan picks new subnets around the
 * latter and keeps the former.
 */
import type { OpOptions, SubnetsInUse } from '../types.js';
import { docker, inspectMany, type NetworkInspect } from '../../docker/cli.js';

export async function dockerSubnets(ownNetworks: ReadonlySet<string>, options: OpOptions = {}): Promise<SubnetsInUse> {
  const { stdout } = await docker(['network', 'ls', '--format', '{{.Name}}'], { ...options, echo: false });
  const names = stdout.split('\n').filter(Boolean);
  const inUse: string[] = [];
  const own = new Map<string, string>();
  for (const n of await inspectMany<NetworkInspect>('network', names, options)) {
    const subnets = (n.IPAM.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s);
    if (ownNetworks.has(n.Name) && subnets[0]) own.set(n.Name, subnets[0]);
    else inUse.push(...subnets);
  }
  return { inUse, own };
}
