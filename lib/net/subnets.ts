/**
 * The bottles' address pool (10.213.0.0/16 unless BOTTLE_SUBNET_POOL names
 * another /16), cut for 1,000 bottles and more on one host: its last /20 is
 * the bundles' shared way out (one network for every bundle, so a bottle
 * costs no scarce network of Docker's), and the rest is 3,840 /28s, one per
 * bottle's own network (gateway .1, bundle .2, agent from .8). A bottle's /28
 * overlaps no other bottle's and no existing network, and a bottle keeps the
 * subnet it had while that stays free. Pure: the caller gathers what is in use.
 */

export interface SubnetRequest {
  slug: string;
  /** The subnet this bottle had (its network or plan.json), if any. */
  previous?: string | null;
}

export type Pool = [number, number];

const SLOT_BITS = 28;
const SLOTS = 4096; // /28s in a /16
const EGRESS_SLOTS = 256; // the last /20
const BOTTLE_SLOTS = SLOTS - EGRESS_SLOTS;

export function poolBase(env: NodeJS.ProcessEnv = process.env): Pool {
  const pool = env.BOTTLE_SUBNET_POOL ?? '10.213.0.0/16';
  const m = pool.match(/^(\d{1,3})\.(\d{1,3})\.0\.0\/16$/);
  if (!m || Number(m[1]) > 255 || Number(m[2]) > 255) {
    throw new Error(`BOTTLE_SUBNET_POOL must be a /16 like 10.213.0.0/16, got "${pool}"`);
  }
  return [Number(m[1]), Number(m[2])];
}

/** The pool as a CIDR (the proxy refuses it as a destination: other bottles live there). */
export function poolCidr(env: NodeJS.ProcessEnv = process.env): string {
  const [a, b] = poolBase(env);
  return `${a}.${b}.0.0/16`;
}

/** The bundles' shared way out: the pool's last /20. */
export function egressSubnet(pool: Pool): string {
  return `${pool[0]}.${pool[1]}.240.0/20`;
}

/** Subnets for each request, in order; `inUse` holds CIDRs of other networks. */
export function allocateSubnets(requests: readonly SubnetRequest[], inUse: readonly string[], pool: Pool): Map<string, string> {
  const base = ((pool[0] << 24) | (pool[1] << 16)) >>> 0;
  const taken = new Uint8Array(SLOTS);
  taken.fill(1, BOTTLE_SLOTS);
  const mark = (cidr: string) => {
    const c = parseCidr(cidr);
    if (!c || c.end < base || c.start > base + 0xffff) return;
    const from = (Math.max(c.start, base) - base) >>> (32 - SLOT_BITS);
    const to = (Math.min(c.end, base + 0xffff) - base) >>> (32 - SLOT_BITS);
    taken.fill(1, from, to + 1);
  };
  for (const cidr of inUse) mark(cidr);
  const slotOf = (cidr: string): number | undefined => {
    const c = parseCidr(cidr);
    if (!c || c.end - c.start !== 15 || c.start < base || c.start > base + 0xffff) return undefined;
    return (c.start - base) >>> 4;
  };
  const out = new Map<string, string>();
  const take = (slug: string, slot: number) => {
    taken[slot] = 1;
    out.set(slug, `${pool[0]}.${pool[1]}.${slot >> 4}.${(slot & 15) << 4}/28`);
  };
  // Bottles keeping their subnet go first, so a newcomer cannot take it.
  for (const r of requests) {
    const slot = r.previous ? slotOf(r.previous) : undefined;
    if (slot !== undefined && !taken[slot]) take(r.slug, slot);
  }
  for (const r of requests) {
    if (out.has(r.slug)) continue;
    const start = hashOf(r.slug) % BOTTLE_SLOTS;
    let slot = -1;
    for (let i = 0; i < BOTTLE_SLOTS && slot < 0; i++) if (!taken[(start + i) % BOTTLE_SLOTS]) slot = (start + i) % BOTTLE_SLOTS;
    if (slot < 0) throw new Error(`no free /28 left in ${pool[0]}.${pool[1]}.0.0/16; remove unused bottles (bottle down) or set BOTTLE_SUBNET_POOL`);
    take(r.slug, slot);
  }
  return out;
}

/** The `n`th address of a subnet: 1 the gateway, 2 the bundle. */
export function hostIn(subnet: string, n: number): string {
  const c = parseCidr(subnet);
  if (!c) throw new Error(`not an IPv4 subnet: ${subnet}`);
  const ip = c.start + n;
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
}

/** The addresses Docker may hand out on a bottle's /28 (the agent's): its upper half, clear of the bundle's. */
export function dynamicRange(subnet: string): string {
  return `${hostIn(subnet, 8)}/29`;
}

interface Cidr {
  start: number;
  end: number;
}

function parseCidr(cidr: string): Cidr | undefined {
  const m = cidr.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/);
  if (!m) return undefined; // IPv6 and others cannot overlap an IPv4 pool
  const bits = Number(m[5]);
  const ip = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  const size = 2 ** (32 - bits);
  const start = ip - (ip % size);
  return { start, end: start + size - 1 };
}

function hashOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
