/**
 * IPv4 blocks for the compose copy: each network bottle made gets a free block
 * of the same size, and its addresses (gateway, ip range, fixed IPs) keep
 * their offset inside it, so the copy has the same shape at other addresses.
 * Pure: the caller says what is taken. IPv6 is not shifted (bottle turns it
 * off); an IPv6 subnet is kept as it was.
 */

export interface Block {
  start: number;
  /** Prefix length. */
  bits: number;
}

const size = (b: Block) => 2 ** (32 - b.bits);

export function parseCidr(cidr: string): Block | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return null;
  const bits = Number(m[5]);
  const start = parseIp(`${m[1]}.${m[2]}.${m[3]}.${m[4]}`);
  if (start === null || bits > 32) return null;
  return { start: start - (start % 2 ** (32 - bits)), bits };
}

export function parseIp(ip: string): number | null {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return null;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

export const formatIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
export const formatCidr = (b: Block) => `${formatIp(b.start)}/${b.bits}`;

const overlaps = (a: Block, b: Block) => a.start < b.start + size(b) && b.start < a.start + size(a);

/** The /16 holding a block (the block itself when it is larger). */
export function enclosing16(b: Block): Block {
  return b.bits >= 16 ? { start: b.start - (b.start % 2 ** 16), bits: 16 } : b;
}

/** Free blocks are looked for in 10.0.0.0/8, then 172.16.0.0/12, then 192.168.0.0/16. */
const SPACES: Block[] = [parseCidr('10.0.0.0/8')!, parseCidr('172.16.0.0/12')!, parseCidr('192.168.0.0/16')!];

/** Hands out free blocks, never the same one twice, none overlapping `taken`. */
export class BlockAllocator {
  readonly #taken: Block[];

  constructor(taken: readonly Block[]) {
    this.#taken = [...taken];
  }

  take(bits: number): Block {
    for (const space of SPACES) {
      if (bits < space.bits) continue;
      const step = 2 ** (32 - bits);
      for (let start = space.start; start + step <= space.start + size(space); start += step) {
        const candidate = { start, bits };
        const clash = this.#taken.find((t) => overlaps(t, candidate));
        if (clash) {
          // Jump past the clash rather than stepping through it block by block.
          start = Math.ceil((clash.start + size(clash)) / step) * step - step;
          continue;
        }
        this.#taken.push(candidate);
        return candidate;
      }
    }
    throw new Error(`no free /${bits} left in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 for the compose copy's networks`);
  }
}

/** Moves subnets to new blocks and addresses along with the subnet that holds them. */
export class SubnetShift {
  readonly #moves = new Map<string, { from: Block; to: Block }>();

  constructor(readonly allocator: BlockAllocator) {}

  /** The new CIDR for an IPv4 subnet (the same one each time it is asked); IPv6 is returned as it is. */
  subnet(cidr: string): string {
    const from = parseCidr(cidr);
    if (!from) return cidr;
    let move = this.#moves.get(formatCidr(from));
    if (!move) {
      move = { from, to: this.allocator.take(from.bits) };
      this.#moves.set(formatCidr(from), move);
    }
    return formatCidr(move.to);
  }

  /** An address (or `a.b.c.d/n` range) inside a subnet already moved, at the same offset in the new one. */
  address(value: string): string {
    const [ip, bits] = value.split('/');
    const n = parseIp(ip!);
    if (n === null) return value;
    for (const { from, to } of this.#moves.values()) {
      if (n >= from.start && n < from.start + size(from)) return `${formatIp(to.start + (n - from.start))}${bits ? `/${bits}` : ''}`;
    }
    throw new Error(`the address ${value} is in none of the subnets moved so far (${[...this.#moves.keys()].join(', ') || 'none'})`);
  }

  /** Every IPv4 address in `text` that lies in a moved subnet, moved (an agent's proxy URL, a resolver); the rest as it was. */
  rewrite(text: string): string {
    return text.replace(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g, (ip) => {
      const n = parseIp(ip);
      if (n === null) return ip;
      for (const { from, to } of this.#moves.values()) if (n >= from.start && n < from.start + size(from)) return formatIp(to.start + (n - from.start));
      return ip;
    });
  }

  get moves(): { from: string; to: string }[] {
    return [...this.#moves.values()].map((m) => ({ from: formatCidr(m.from), to: formatCidr(m.to) }));
  }
}
