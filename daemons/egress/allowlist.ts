/**
 * The allowlist matcher: pure, no I/O. A rule's host is an exact name, an IP
 * literal, a CIDR block (`10.0.0.0/8`, `fd00::/8`) or `*.domain` (any
 * subdomain at any depth, never the apex); a rule's port is a number, or null
 * for the web ports 80 and 443. A rule may mark its host `inspect` (the proxy
 * terminates TLS and judges each request, inspect-request.ts) and, then only,
 * limit the methods and paths. It does not parse or validate rules
 * (config-destinations.ts does) and does not resolve names: an IP literal is
 * matched only by a rule naming that same literal or a block containing it, a
 * name only by names.
 */
import { isIP } from 'node:net';
import { cidrContains, parseCidr } from './cidr.js';
import { isHostName, normalizeHost } from './host-name.js';

export interface PathRules {
  /** When given, a path must match one of these. */
  readonly allow?: readonly string[];
  /** A path matching one of these is refused. */
  readonly deny?: readonly string[];
}

export interface AllowRule {
  /** `api.example.com`, `*.npmjs.org`, an IP literal or a CIDR block. */
  readonly host: string;
  /** One port, or null for 80 and 443. */
  readonly port: number | null;
  /** TLS to this host is terminated and every request judged; only on a name or `*.domain`. */
  readonly inspect?: boolean;
  /** Upper case; when given, the only methods an inspected request may use. */
  readonly methods?: readonly string[];
  readonly paths?: PathRules;
}

const WEB_PORTS: readonly number[] = [80, 443];

export function isAllowed(allow: readonly AllowRule[], host: string, port: number): boolean {
  return matchingRules(allow, host, port).length > 0;
}

/** The rules that allow `host` on `port`, in their order. */
export function matchingRules(allow: readonly AllowRule[], host: string, port: number): readonly AllowRule[] {
  const name = normalizeHost(host);
  if (!isHostName(name)) return [];
  return allow.filter((rule) => portMatches(rule.port, port) && matchesHost(rule.host, name));
}

/** The inspect rules that match: when there is one, the host is inspected and these rules judge its requests. */
export function inspectRules(allow: readonly AllowRule[], host: string, port: number): readonly AllowRule[] {
  return matchingRules(allow, host, port).filter((rule) => rule.inspect === true);
}

function portMatches(rulePort: number | null, port: number): boolean {
  return rulePort === null ? WEB_PORTS.includes(port) : rulePort === port;
}

/** Whether a host pattern (name, IP literal, CIDR block or `*.domain`) matches `host`. */
export function matchesHost(rulePattern: string, target: string): boolean {
  const pattern = normalizeHost(rulePattern);
  const host = normalizeHost(target);
  if (pattern.includes('/')) {
    const block = parseCidr(pattern);
    return block !== undefined && isIP(host) !== 0 && cidrContains(block, host);
  }
  if (!pattern.startsWith('*.') || isIP(host) !== 0) return pattern === host;
  const suffix = pattern.slice(1); // ".example.com"
  return host.length > suffix.length && host.endsWith(suffix);
}
