/**
 * IP addresses and CIDR blocks as the proxy compares them: the canonical
 * text of an address (IPv4 as a dotted quad; IPv6 compressed, lower case,
 * without a zone; an IPv4-mapped IPv6 address as the IPv4 address it
 * carries), `10.0.0.0/8` and `fd00::/8` parsed, and whether a block contains
 * an address. Pure; it does not resolve names or know which blocks are private.
 */
import { isIP } from 'node:net';

export interface Cidr {
  /** `10.0.0.0/8`, the address in canonical form. */
  readonly text: string;
  /** The address: 4 bytes (IPv4) or 16 (IPv6). */
  readonly bytes: readonly number[];
  readonly prefix: number;
}

const MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/** The canonical text of an IP literal, or undefined if `text` is not one. */
export function canonicalIp(text: string): string | undefined {
  const ip = text.split('%')[0] ?? ''; // a zone names an interface, not another address
  const family = isIP(ip);
  if (family === 4) return ip; // isIP refuses every IPv4 spelling but the dotted quad
  if (family !== 6) return undefined;
  let compressed: string;
  try {
    compressed = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const mapped = MAPPED.exec(compressed);
  return mapped ? ipv4FromGroups(mapped[1] ?? '0', mapped[2] ?? '0') : compressed;
}

/**
 * `10.0.0.0/8` or `fd00::/8`; undefined when the address or the prefix length
 * is not valid. An IPv4-mapped block counts its prefix in IPv6 bits:
 * `::ffff:10.0.0.0/104` is `10.0.0.0/8`.
 */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  const written = match?.[1] ?? '';
  const address = canonicalIp(written);
  if (!match || address === undefined) return undefined;
  const bytes = bytesOf(address);
  const mapped = isIP(written) === 6 && bytes.length === 4;
  const prefix = Number(match[2]) - (mapped ? 96 : 0);
  return prefix >= 0 && prefix <= bytes.length * 8 ? { text: `${address}/${prefix}`, bytes, prefix } : undefined;
}

/** Whether `address` (canonical, as canonicalIp returns it) lies in the block. */
export function cidrContains(cidr: Cidr, address: string): boolean {
  const bytes = bytesOf(address);
  if (bytes.length !== cidr.bytes.length) return false;
  for (let bit = 0; bit < cidr.prefix; bit += 8) {
    const mask = (0xff << (8 - Math.min(8, cidr.prefix - bit))) & 0xff;
    const index = bit / 8;
    if (((bytes[index] ?? 0) & mask) !== ((cidr.bytes[index] ?? 0) & mask)) return false;
  }
  return true;
}

function ipv4FromGroups(high: string, low: string): string {
  const [a, b] = [parseInt(high, 16), parseInt(low, 16)];
  return [a >> 8, a & 0xff, b >> 8, b & 0xff].join('.');
}

/** The bytes of a canonical address (a compressed IPv6 address has no dotted tail). */
function bytesOf(address: string): number[] {
  if (isIP(address) === 4) return address.split('.').map(Number);
  const [head = '', tail] = address.split('::');
  const groups = (part: string | undefined): string[] => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const zeros: string[] = Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...zeros, ...right].flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}
