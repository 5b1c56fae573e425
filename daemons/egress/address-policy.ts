/**
 * Which resolved addresses the proxy refuses before any allow rule is
 * consulted: the built-in private set (loopback, RFC 1918, link-local and
 * cloud metadata, CGNAT, multicast, reserved, unique-local, and the IPv6
 * blocks that embed an IPv4 address) and the config's `deny` blocks. It does
 * not know the allow rules (a rule naming the address or a block around it
 * lifts the refusal; admit-target.ts applies that) and does not resolve names.
 */
import type { Cidr } from './cidr.js';
import { canonicalIp, cidrContains, parseCidr } from './cidr.js';

export type AddressRefusal = 'private' | 'denied';

export interface AddressPolicy {
  /** Why `address` is refused, or undefined when it may be reached. */
  refusalOf(address: string): AddressRefusal | undefined;
}

const PRIVATE_BLOCKS: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10', // CGNAT
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local, cloud metadata (169.254.169.254)
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, 255.255.255.255 included
  '::/96', // unspecified, loopback and the deprecated IPv4-compatible form
  'fc00::/7', // unique-local
  'fe80::/10', // link-local
  'ff00::/8', // multicast
  '64:ff9b::/96', // NAT64: embeds an IPv4 address
  '2002::/16', // 6to4: embeds an IPv4 address
];

const PRIVATE: readonly Cidr[] = PRIVATE_BLOCKS.map(mustParse);

/** `deny` holds CIDR blocks, already validated by config.ts. */
export function createAddressPolicy(deny: readonly string[]): AddressPolicy {
  const denied = deny.map(mustParse);
  return {
    refusalOf(address) {
      // An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
      const canonical = canonicalIp(address);
      if (canonical === undefined) return 'private'; // not an address it can judge: never reach it
      if (PRIVATE.some((block) => cidrContains(block, canonical))) return 'private';
      if (denied.some((block) => cidrContains(block, canonical))) return 'denied';
      return undefined;
    },
  };
}

function mustParse(text: string): Cidr {
  const cidr = parseCidr(text);
  if (!cidr) throw new TypeError(`Expected a CIDR block such as 10.0.0.0/8, got ${JSON.stringify(text)}.`);
  return cidr;
}
