/**
 * The allowlist matcher: pure, no I/O. A rule's host is an exact name, an IP
 * literal, a CIDR block (`10.0.0.0/8`, `fd00::/8`) or `*.domain` (any
 * subdomain at any depth, never the apex); a rule's port is a number, or null
 * for the web ports 80 and 443. It does not parse or validate rules (config.ts
 * does) and does not resolve names: an IP literal is matched only by a rule
 * naming that same literal or a block containing it, a name only by names.
 */
import { isIP } from 'node:net';
import { cidrContains, parseCidr } from './cidr.js';
import { isHostName, normalizeHost } from './host-name.js';

export interface AllowRule {
  /** `api.example.com`, `*.npmjs.org`, an IP literal or a CIDR block. */
  readonly host: string;
  /** One port, or null for 80 and 443. */
  readonly port: number | null;
}

const WEB_PORTS: readonly number[] = [80, 443];

export function isAllowed(allow: readonly AllowRule[], host: string, port: number): boolean {
  const name = normalizeHost(host);
  if (!isHostName(name)) return false;
  return allow.some((rule) => portMatches(rule.port, port) && hostMatches(normalizeHost(rule.host), name));
}

function portMatches(rulePort: number | null, port: number): boolean {
  return rulePort === null ? WEB_PORTS.includes(port) : rulePort === port;
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern.includes('/')) {
    const block = parseCidr(pattern);
    return block !== undefined && isIP(host) !== 0 && cidrContains(block, host);
  }
  if (!pattern.startsWith('*.') || isIP(host) !== 0) return pattern === host;
  const suffix = pattern.slice(1); // ".example.com"
  return host.length > suffix.length && host.endsWith(suffix);
}
