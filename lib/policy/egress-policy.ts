/**
 * The egress proxy's live policy, as the file the bundle's proxy reloads
 * when it changes (`egress-policy.json` in the bundle's config directory):
 * the manifest's allowlist with the bundle's own TLS probe, plus the live
 * rules (allowed hosts added, hosts denied). Pure but for writing the file
 * (a temp file renamed over it, so the proxy never reads half of it).
 */
import type { EgressRule } from '../manifest/egress.js';
import { CA_PROBE_HOST, TLS_PROBE_PORT, type BottlePlan } from '../plan/types.js';
import { writeFileAtomic } from '../state/atomic-write.js';
import type { LiveRules } from './live-rules.js';

export const LOOPBACK = '127.0.0.1';

export interface EgressPolicy {
  allow: EgressRule[];
  hosts: Record<string, string>;
  deny: string[];
  denyHosts: string[];
}

export function egressPolicy(plan: BottlePlan, live: LiveRules): EgressPolicy {
  const own = plan.egress.allow;
  const added = live.allow.filter((rule) => !own.some((o) => o.host === rule.host && o.port === rule.port));
  return {
    // The probe's name is pinned to the bundle's loopback, and that exact address allowed on its port: nothing else private is.
    allow: [...own, ...added, { host: CA_PROBE_HOST, port: TLS_PROBE_PORT }, { host: LOOPBACK, port: TLS_PROBE_PORT }],
    hosts: { [CA_PROBE_HOST]: LOOPBACK },
    deny: plan.egress.deny,
    denyHosts: live.deny,
  };
}

export function policyText(policy: EgressPolicy): string {
  return `${JSON.stringify(policy, null, 2)}\n`;
}

/** Readable by the bundle's user: it holds no secret. */
export function writeEgressPolicy(path: string, policy: EgressPolicy): Promise<void> {
  return writeFileAtomic(path, policyText(policy), 0o644);
}
