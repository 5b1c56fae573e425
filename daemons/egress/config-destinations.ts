/**
 * The config sections that name destinations, validated and normalised:
 * `allow` rules (host name, IP literal, CIDR block or `*.domain`, and a port
 * or null for 80 and 443), the `hosts` pins (name -> IP literal) and the
 * `deny` CIDR blocks. IP literals and blocks come out canonical (cidr.ts),
 * names lower case without a trailing dot (host-name.ts). Problems go to the
 * shared checks; it does not fill in the other sections or read files.
 */
import { isIP } from 'node:net';
import type { AllowRule } from './allowlist.js';
import { canonicalIp, parseCidr } from './cidr.js';
import type { Checks } from '../shared/config-checks.js';
import { isHostName, normalizeHost } from './host-name.js';

const RULE_FIELDS = ['host', 'port'] as const;
const CIDR = 'a CIDR block such as 10.0.0.0/8 or fd00::/8 (prefix length at most 32 for IPv4, 128 for IPv6)';

export function allowRules(value: unknown, checks: Checks): AllowRule[] | undefined {
  if (!Array.isArray(value)) return checks.fail('allow', 'an array of { "host", "port" } rules', value);
  const rules = value.map((entry: unknown, index) => allowRule(entry, `allow[${index}]`, checks));
  return rules.every((rule) => rule !== undefined) ? (rules as AllowRule[]) : undefined;
}

/** Name -> IP literal; the names are normalised, and may not be IP literals themselves. */
export function hostsMap(value: unknown, checks: Checks): Record<string, string> | undefined {
  const given = checks.object(value, 'hosts');
  if (!given) return undefined;
  const entries = Object.entries(given).map(([name, address]) => hostsEntry(name, address, checks));
  return entries.every((entry) => entry !== undefined) ? Object.fromEntries(entries as [string, string][]) : undefined;
}

export function denyBlocks(value: unknown, checks: Checks): string[] | undefined {
  if (!Array.isArray(value)) return checks.fail('deny', 'an array of CIDR blocks', value);
  const blocks = value.map((entry: unknown, index) =>
    (typeof entry === 'string' ? parseCidr(entry)?.text : undefined) ?? checks.fail(`deny[${index}]`, CIDR, entry),
  );
  return blocks.every((block) => block !== undefined) ? (blocks as string[]) : undefined;
}

function allowRule(value: unknown, field: string, checks: Checks): AllowRule | undefined {
  const rule = checks.object(value, field, RULE_FIELDS);
  if (!rule) return undefined;
  const host = hostPattern(rule['host'], `${field}.host`, checks);
  const port = rule['port'] === null ? null : checks.integer(rule['port'], `${field}.port`, 1, 65535, ' or null (80 and 443)');
  return host !== undefined && port !== undefined ? { host, port } : undefined;
}

function hostPattern(value: unknown, field: string, checks: Checks): string | undefined {
  const expected = 'a host name, an IP literal, a CIDR block (10.0.0.0/8) or *.domain';
  if (typeof value !== 'string') return checks.fail(field, expected, value);
  if (value.includes('/')) return parseCidr(value)?.text ?? checks.fail(field, CIDR, value);
  const wildcard = value.trim().startsWith('*.');
  const name = normalizeHost(wildcard ? value.trim().slice(2) : value);
  if (!isHostName(name) || (wildcard && isIP(name) !== 0)) return checks.fail(field, expected, value);
  return wildcard ? `*.${name}` : name;
}

function hostsEntry(key: string, address: unknown, checks: Checks): [string, string] | undefined {
  const field = `hosts[${JSON.stringify(key)}]`;
  const name = normalizeHost(key);
  if (!isHostName(name) || isIP(name) !== 0) return checks.fail(`${field} (the key)`, 'a host name', key);
  const ip = typeof address === 'string' ? canonicalIp(address.trim()) : undefined;
  return ip === undefined ? checks.fail(field, 'an IP literal', address) : [name, ip];
}
