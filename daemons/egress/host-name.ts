/**
 * Host names as the proxy compares them: lower case, no IPv6 brackets, no
 * trailing root dot, and every IP literal in one canonical form (cidr.ts), so
 * `[::ffff:127.0.0.1]` is `127.0.0.1` and the numeric spellings a URL parser
 * accepts (`127.1`, `0x7f.1`, `2130706433`) are the dotted quad they mean,
 * whether they came in a URL or a CONNECT. It says whether a string is a host
 * name or an IP literal; it does not resolve names or decide what is allowed.
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { canonicalIp } from './cidr.js';

/** `API.Example.com.` → `api.example.com`, `[::1]` → `::1`, `127.1` → `127.0.0.1`. */
export function normalizeHost(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']') && isIP(name.slice(1, -1)) === 6) name = name.slice(1, -1);
  const literal = canonicalIp(name);
  if (literal !== undefined) return literal;
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (!isHostName(name)) return name; // a pattern (`*.a.test`, `10.0.0.0/8`) or garbage: as written
  // The WHATWG host parser reads numeric names as IPv4; any other name is kept as written.
  const parsed = domainToASCII(name);
  return isIP(parsed) === 4 ? parsed : name;
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** A DNS name (letters, digits, `-`, `_`, dot-separated labels) or an IPv4/IPv6 literal, already normalised. */
export function isHostName(host: string): boolean {
  if (isIP(host) !== 0) return true;
  if (host.length === 0 || host.length > 253) return false;
  return host.split('.').every((label) => LABEL.test(label));
}

/** `host:port`, with brackets around an IPv6 literal, as messages and Host headers write it. */
export function formatAuthority(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
