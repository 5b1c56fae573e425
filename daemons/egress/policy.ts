/**
 * The policy: what the agent may reach. Its allow rules, `hosts` pins, `deny`
 * blocks and `denyHosts` names come from egress.json, or, when egress.json
 * names a `policyFile`, from that file, which the host rewrites while the
 * bottle runs (`bottle allow`, `bottle deny`; live-file.ts re-reads it):
 *
 * ```json
 * { "allow": [{ "host": "api.example.com", "port": 443, "inspect": true,
 *               "methods": ["GET", "POST"], "paths": { "allow": ["/v1/*"], "deny": ["/v1/admin/*"] } },
 *             { "host": "*.npmjs.org", "port": null }],
 *   "hosts": { "ca-probe.bottle.internal": "127.0.0.1" },
 *   "deny": ["10.213.0.0/16"],
 *   "denyHosts": ["evil.example.com", "*.tracker.test"] }
 * ```
 * `hosts`, `deny` and `denyHosts` may be left out. This module validates and
 * normalises one policy, every problem named by its field
 * (config-destinations.ts); it does not watch the file or apply the policy.
 */
import { readJsonConfig } from '../common/config-file.js';
import { createChecks } from '../common/config-checks.js';
import type { AllowRule } from './allowlist.js';
import { matchesHost } from './allowlist.js';
import type { AllowRulesOptions } from './config-destinations.js';
import { allowRules, denyBlocks, denyHostPatterns, hostsMap } from './config-destinations.js';
import { EgressConfigError } from './config.js';

export interface Policy {
  readonly allow: readonly AllowRule[];
  /** The proxy's own resolutions, name -> IP literal, checked before DNS. */
  readonly hosts: Readonly<Record<string, string>>;
  /** CIDR blocks refused like private addresses. */
  readonly deny: readonly string[];
  /** Names (or `*.domain`) refused even when an allow rule matches them. */
  readonly denyHosts: readonly string[];
}

const FIELDS = ['allow', 'hosts', 'deny', 'denyHosts'] as const;

/** Validates a parsed policy file; `source` (its path) goes into the error message. */
export function parsePolicy(value: unknown, source: string, options: AllowRulesOptions): Policy {
  const checks = createChecks();
  const root = checks.object(value, '(root)', FIELDS);
  const allow = root && allowRules(root['allow'], checks, options);
  // A field left out takes its default; null is a value, and is checked like one.
  const given = (key: string, fallback: unknown): unknown => (root?.[key] === undefined ? fallback : root[key]);
  const hosts = root && hostsMap(given('hosts', {}), checks);
  const deny = root && denyBlocks(given('deny', []), checks);
  const denyHosts = root && denyHostPatterns(given('denyHosts', []), checks);
  const { problems } = checks;
  if (problems.length > 0 || !allow || !hosts || !deny || !denyHosts) {
    throw new EgressConfigError(`Invalid egress policy file ${source}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`, problems);
  }
  return { allow, hosts, deny, denyHosts };
}

/** Reads and validates the policy file; an EgressConfigError names the file and every problem. */
export async function readPolicyFile(path: string, options: AllowRulesOptions): Promise<Policy> {
  const value = await readJsonConfig(path, 'egress policy file', (message, cause) => new EgressConfigError(message, [], cause));
  return parsePolicy(value, path, options);
}

/** Whether `host` is on the policy's `denyHosts`. */
export function isDeniedHost(policy: Pick<Policy, 'denyHosts'>, host: string): boolean {
  return policy.denyHosts.some((pattern) => matchesHost(pattern, host));
}
