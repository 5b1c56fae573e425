/**
 * The config sections that name destinations, validated and normalised:
 * `allow` rules (host name, IP literal, CIDR block or `*.domain`, and a port
 * or null for 80 and 443, optionally `inspect` with `methods` and `paths`),
 * the `hosts` pins (name -> IP literal), the `deny` CIDR blocks and the
 * `denyHosts` patterns. IP literals and blocks come out canonical (cidr.ts),
 * names lower case without a trailing dot (host-name.ts), methods upper case.
 * The same sections are read from egress.json and from the policy file
 * (policy.ts). Problems go to the shared checks; it does not fill in the other
 * sections or read files.
 */
import { isIP } from 'node:net';
import type { AllowRule, PathRules } from './allowlist.js';
import { canonicalIp, parseCidr } from './cidr.js';
import type { Checks } from '../common/config-checks.js';
import { isHostName, normalizeHost } from './host-name.js';

const RULE_FIELDS = ['host', 'port', 'inspect', 'methods', 'paths'] as const;
const PATHS_FIELDS = ['allow', 'deny'] as const;
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const CIDR = 'a CIDR block such as 10.0.0.0/8 or fd00::/8 (prefix length at most 32 for IPv4, 128 for IPv6)';

export interface AllowRulesOptions {
  /** Whether egress.json has an `inspect` section: without it, a rule cannot inspect. */
  readonly canInspect: boolean;
}

export function allowRules(value: unknown, checks: Checks, options: AllowRulesOptions): AllowRule[] | undefined {
  if (!Array.isArray(value)) return checks.fail('allow', 'an array of { "host", "port" } rules', value);
  const rules = value.map((entry: unknown, index) => allowRule(entry, `allow[${index}]`, checks, options));
  return rules.every((rule) => rule !== undefined) ? (rules as AllowRule[]) : undefined;
}

/** Names refused even when an allow rule matches them (`bottle deny`): patterns as an allow rule's host. */
export function denyHostPatterns(value: unknown, checks: Checks): string[] | undefined {
  if (!Array.isArray(value)) return checks.fail('denyHosts', 'an array of host names or *.domain patterns', value);
  const patterns = value.map((entry: unknown, index) => hostPattern(entry, `denyHosts[${index}]`, checks));
  return patterns.every((pattern) => pattern !== undefined) ? (patterns as string[]) : undefined;
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

function allowRule(value: unknown, field: string, checks: Checks, options: AllowRulesOptions): AllowRule | undefined {
  const rule = checks.object(value, field, RULE_FIELDS);
  if (!rule) return undefined;
  const host = hostPattern(rule['host'], `${field}.host`, checks);
  const port = rule['port'] === null ? null : checks.integer(rule['port'], `${field}.port`, 1, 65535, ' or null (80 and 443)');
  const inspect = inspectFlag(rule['inspect'], host, `${field}.inspect`, checks, options);
  const methods = rule['methods'] === undefined ? undefined : methodList(rule['methods'], `${field}.methods`, checks);
  const paths = rule['paths'] === undefined ? undefined : pathRules(rule['paths'], `${field}.paths`, checks);
  for (const [name, given] of [['methods', methods], ['paths', paths]] as const) {
    if (given !== undefined && inspect === false) {
      checks.problems.push(`\`${field}.${name}\`: applies only to an inspected host; add "inspect": true to the rule or remove ${name}.`);
    }
  }
  if (host === undefined || port === undefined || inspect === undefined) return undefined;
  if (rule['methods'] !== undefined && methods === undefined) return undefined;
  if (rule['paths'] !== undefined && paths === undefined) return undefined;
  return { host, port, ...(inspect ? { inspect } : {}), ...(methods ? { methods } : {}), ...(paths ? { paths } : {}) };
}

/** false when left out; true only on a name or `*.domain` (a leaf certificate names a host), and only with an `inspect` section. */
function inspectFlag(value: unknown, host: string | undefined, field: string, checks: Checks, options: AllowRulesOptions): boolean | undefined {
  if (value === undefined || value === false) return false;
  if (value !== true) return checks.fail(field, 'true or false', value);
  if (host !== undefined && (host.includes('/') || isIP(host) !== 0)) {
    checks.problems.push(`\`${field}\`: expected on a rule whose host is a name or *.domain (a leaf certificate names the host), got it on ${JSON.stringify(host)}; inspect the name the agent connects to.`);
    return undefined;
  }
  if (!options.canInspect) {
    checks.problems.push(`\`${field}\`: needs the \`inspect\` section of the egress config (leafDir, credentialsFile); add it or remove "inspect".`);
    return undefined;
  }
  return true;
}

function methodList(value: unknown, field: string, checks: Checks): string[] | undefined {
  const expected = 'a non-empty array of HTTP methods such as ["GET", "POST"]';
  if (!Array.isArray(value) || value.length === 0) return checks.fail(field, expected, value);
  const methods = value.map((entry: unknown, index) =>
    typeof entry === 'string' && METHOD.test(entry) ? entry.toUpperCase() : checks.fail(`${field}[${index}]`, 'an HTTP method such as GET', entry),
  );
  return methods.every((method) => method !== undefined) ? (methods as string[]) : undefined;
}

function pathRules(value: unknown, field: string, checks: Checks): PathRules | undefined {
  const given = checks.object(value, field, PATHS_FIELDS);
  if (!given) return undefined;
  const lists: Partial<Record<'allow' | 'deny', string[]>> = {};
  let ok = true;
  for (const key of PATHS_FIELDS) {
    if (given[key] === undefined) continue;
    const list = patternList(given[key], `${field}.${key}`, checks);
    if (list) lists[key] = list;
    else ok = false;
  }
  return ok ? lists : undefined;
}

function patternList(value: unknown, field: string, checks: Checks): string[] | undefined {
  if (!Array.isArray(value)) return checks.fail(field, 'an array of path patterns such as "/v1/*"', value);
  const patterns = value.map((entry: unknown, index) =>
    typeof entry === 'string' && (entry.startsWith('/') || entry.startsWith('*'))
      ? entry
      : checks.fail(`${field}[${index}]`, 'a path pattern starting with / or * (* matches any characters, / included)', entry),
  );
  return patterns.every((pattern) => pattern !== undefined) ? (patterns as string[]) : undefined;
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
