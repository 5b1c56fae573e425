/**
 * Live rules: what `bottle allow` and `bottle deny` added to a running
 * bottle's egress policy, kept in `<state>/<slug>/live-rules.json` until the
 * next `bottle up` drops them (or keeps them, with --keep-live-rules). A
 * rule is written as in the manifest's allowlist (`host[:port]`, `*.domain`,
 * IPs, CIDRs). It reads and writes that file only.
 */
import { readFile, rm } from 'node:fs/promises';
import { parseEgressEntry, type EgressRule } from '../manifest/egress.js';
import { writeFileAtomic } from '../state/atomic-write.js';

export interface LiveRules {
  /** Allowed besides the manifest's allowlist. */
  allow: EgressRule[];
  /** Hosts refused even where an allow rule matches (`host` or `*.domain`). */
  deny: string[];
}

export const NO_LIVE_RULES: LiveRules = { allow: [], deny: [] };

export async function readLiveRules(path: string): Promise<LiveRules> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return NO_LIVE_RULES;
  }
  try {
    const value = JSON.parse(text) as { allow?: unknown; deny?: unknown };
    const allow = Array.isArray(value.allow) ? value.allow.flatMap((r) => (isRule(r) ? [r] : [])) : [];
    const deny = Array.isArray(value.deny) ? value.deny.filter((h): h is string => typeof h === 'string') : [];
    return { allow, deny };
  } catch {
    // A file bottle did not write whole: no live rules, as after a down.
    return NO_LIVE_RULES;
  }
}

function isRule(r: unknown): r is EgressRule {
  return typeof r === 'object' && r !== null && typeof (r as EgressRule).host === 'string' && ((r as EgressRule).port === null || typeof (r as EgressRule).port === 'number');
}

export async function writeLiveRules(path: string, rules: LiveRules): Promise<void> {
  if (rules.allow.length === 0 && rules.deny.length === 0) return void (await rm(path, { force: true }));
  await writeFileAtomic(path, `${JSON.stringify({ v: 1, ...rules }, null, 2)}\n`, 0o600);
}

export function isEmpty(rules: LiveRules): boolean {
  return rules.allow.length === 0 && rules.deny.length === 0;
}

/** `host[:port]` as the allowlist takes it, or a sentence saying what is wrong. */
export function liveRuleOf(entry: string): EgressRule | string {
  const parsed = parseEgressEntry(entry);
  return parsed.ok ? parsed.rule : parsed.problem;
}

export function ruleText(rule: EgressRule): string {
  const host = rule.host.includes(':') ? `[${rule.host}]` : rule.host;
  return rule.port === null ? host : `${host}:${rule.port}`;
}

/** Whether two rules name the same destination. */
export function sameDestination(a: EgressRule, b: EgressRule): boolean {
  return a.host === b.host && a.port === b.port;
}

/** `allowed a.test, b.test:8443; denied c.test`: for a line of output. */
export function describeLiveRules(rules: LiveRules): string {
  const parts = [
    ...(rules.allow.length > 0 ? [`allowed ${rules.allow.map(ruleText).join(', ')}`] : []),
    ...(rules.deny.length > 0 ? [`denied ${rules.deny.join(', ')}`] : []),
  ];
  return parts.join('; ');
}
