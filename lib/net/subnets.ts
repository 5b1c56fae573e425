/**
 * Picks a private /24 per bottle from a pool (10.213.0.0/16 unless
 * BOTTLE_SUBNET_POOL names another /16) that overlaps neither another bottle's
 * nor any existing Docker network. A bottle keeps the subnet it had while that
 * stays free. Pure: the caller gathers what is in use.
 */

export interface SubnetRequest {
  slug: string;
  /** The subnet this bottle had (its network or plan.json), if any. */
  previous?: string | null;
}

export function poolBase(env: NodeJS.ProcessEnv = process.env): [number, number] {
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

/** Subnets for each request, in order; `inUse` holds CIDRs of other networks. */
export function allocateSubnets(requests: readonly SubnetRequest[], inUse: readonly string[], pool: [number, number]): Map<string, string> {
  const taken = inUse.map(parseCidr).filter((c): c is Cidr => c !== undefined);
  const out = new Map<string, string>();
  const free = (cidr: string) => {
    const c = parseCidr(cidr);
    return c !== undefined && !taken.some((t) => overlaps(t, c));
  };
  const take = (slug: string, cidr: string) => {
    out.set(slug, cidr);
    taken.push(parseCidr(cidr)!);
  };
  // Bottles keeping their subnet go first, so a newcomer cannot take it.
  for (const r of requests) if (r.previous && free(r.previous)) take(r.slug, r.previous);
  for (const r of requests) {
    if (out.has(r.slug)) continue;
    const start = hashByte(r.slug);
    let found: string | undefined;
    for (let i = 0; i < 256 && !found; i++) {
      const candidate = `${pool[0]}.${pool[1]}.${(start + i) % 256}.0/24`;
      if (free(candidate)) found = candidate;
    }
    if (!found) throw new Error(`no free /24 left in ${pool[0]}.${pool[1]}.0.0/16; remove unused bottles (bottle down) or set BOTTLE_SUBNET_POOL`);
    take(r.slug, found);
  }
  return out;
}

/** `.1` (gateway), `.2` (bundle) of a /24. */
export function hostIn(subnet: string, host: number): string {
  return subnet.replace(/\.0\/24$/, `.${host}`);
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

function overlaps(a: Cidr, b: Cidr): boolean {
  return a.start <= b.end && b.start <= a.end;
}

function hashByte(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) % 256;
}
