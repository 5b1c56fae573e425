/**
 * Resolves a target host to the addresses the proxy may connect to: an IP
 * literal is itself; a name in the config's `hosts` is its fixed address
 * (checked before DNS); any other name goes to the lookup (`dns.lookup` with
 * `all: true` unless a test passes its own). Addresses come back canonical
 * (cidr.ts), so the proxy connects to exactly what it judged. It does not
 * judge addresses (address-policy.ts) or check the allowlist.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { canonicalIp } from './cidr.js';

/** Every address of a name; rejects when the name does not resolve. */
export type Lookup = (host: string) => Promise<readonly string[]>;

export type Resolve = (host: string) => Promise<readonly string[]>;

export interface ResolverOptions {
  /** Name -> IP literal, both already normalised (config.ts). */
  readonly hosts: Readonly<Record<string, string>>;
  readonly lookup?: Lookup;
}

export const systemLookup: Lookup = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

export function createResolver(options: ResolverOptions): Resolve {
  const lookup = options.lookup ?? systemLookup;
  return async (host) => {
    const literal = canonicalIp(host);
    if (literal !== undefined) return [literal];
    const pinned = Object.hasOwn(options.hosts, host) ? options.hosts[host] : undefined;
    const found = pinned !== undefined ? [pinned] : await lookup(host);
    // An answer that is not an address (a broken resolver) is dropped, never connected to.
    return found.flatMap((address) => canonicalIp(address) ?? []);
  };
}
