/**
 * Picks a private /16 (10.X.0.0/16, X in 100..199) that nothing on this
 * machine uses, for a test engine in its own network namespace: its veth
 * link, its default bridge and its address pool all come out of it. "Used"
 * means it overlaps an IPv4 address or route of the host (any routing table,
 * the default route aside), a network of the host's Docker Engine (an
 * internal network has no address on the host, so routes alone miss it), or
 * a /16 this process already handed out and has not released. It creates
 * nothing; two processes picking at the same moment may still pick the same
 * one (the pick is random to make that unlikely).
 */
import type Docker from 'dockerode';
import { execa } from 'execa';

/** 10.213.0.0/16 is bottle's own pool (lib/net/subnets.ts): never in range. */
const FIRST = 100;
const LAST = 199;

const handedOut = new Set<number>();

export interface Cidr {
  base: number;
  prefix: number;
}

export function parseCidr(text: string): Cidr {
  const [address, prefixText] = text.split('/');
  const parts = (address ?? '').split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new TypeError(`expected an IPv4 CIDR like 10.1.2.0/24, got "${text}"`);
  const prefix = prefixText === undefined ? 32 : Number(prefixText);
  const address32 = parts.reduce((n, p) => n * 256 + p, 0);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (address32 & mask) >>> 0, prefix };
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return ((a.base & mask) >>> 0) === ((b.base & mask) >>> 0);
}

/** Every IPv4 range in use on the host, as CIDRs. */
export async function rangesInUse(hostDocker: Docker): Promise<string[]> {
  const addrs = JSON.parse((await execa('ip', ['-j', '-4', 'addr'])).stdout) as { addr_info?: { local: string; prefixlen: number }[] }[];
  const routes = JSON.parse((await execa('ip', ['-j', '-4', 'route', 'show', 'table', 'all'])).stdout) as { dst: string }[];
  const networks = await hostDocker.listNetworks();
  return [
    ...addrs.flatMap((link) => (link.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`)),
    ...routes.map((r) => r.dst).filter((dst) => dst !== 'default'),
    ...networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s && !s.includes(':'))),
  ];
}

/** The second octet of a free 10.X.0.0/16, reserved until `releaseSlash16(X)`. */
export async function pickFreeSlash16(hostDocker: Docker): Promise<number> {
  const used = (await rangesInUse(hostDocker)).map(parseCidr);
  const candidates = Array.from({ length: LAST - FIRST + 1 }, (_, i) => FIRST + i).filter((x) => !handedOut.has(x));
  for (let left = candidates.length; left > 0; left--) {
    const x = candidates.splice(Math.floor(Math.random() * left), 1)[0]!;
    const range = parseCidr(`10.${x}.0.0/16`);
    if (used.some((u) => overlaps(u, range))) continue;
    handedOut.add(x);
    return x;
  }
  throw new Error(`no free /16 in 10.${FIRST}.0.0 - 10.${LAST}.255.255 for a test engine: every one overlaps an address, route or Docker network of this host; remove stale test engines (ip netns list, ip route)`);
}

export function releaseSlash16(x: number): void {
  handedOut.delete(x);
}
