/**
 * Judges an inspected request's method and path against the inspect rules
 * that match its host: it passes when any one rule lets it through (its
 * `methods`, when given, include the method; its `paths.allow`, when given,
 * has a pattern matching the path, and no `paths.deny` pattern does). A
 * refusal names the rule field that decided, for the 403 and the audit log,
 * never the path itself (it could carry anything). Pure: it does not read
 * the policy, the headers or the body.
 */
import type { AllowRule } from './allowlist.js';
import { comparablePath, pathMatches } from './path-pattern.js';

export type RequestRule = 'methods' | 'paths.allow' | 'paths.deny';

export interface RuleRefusal {
  readonly rule: RequestRule;
  /** One line, for the reply and the audit log. */
  readonly reason: string;
}

/** Why no rule lets the request through (the first rule's refusal), or undefined when one does. */
export function ruleRefusal(rules: readonly AllowRule[], method: string, requestPath: string): RuleRefusal | undefined {
  const path = comparablePath(requestPath);
  let first: RuleRefusal | undefined;
  for (const rule of rules) {
    const refusal = refusalBy(rule, method, path);
    if (!refusal) return undefined;
    first ??= refusal;
  }
  return first;
}

function refusalBy(rule: AllowRule, method: string, path: string): RuleRefusal | undefined {
  const { methods, paths } = rule;
  if (methods && !methods.includes(method.toUpperCase())) {
    return { rule: 'methods', reason: `${method} is not one of the methods ${methods.join(', ')} allowed for ${rule.host}` };
  }
  const denied = paths?.deny?.find((pattern) => pathMatches(pattern, path));
  if (denied !== undefined) return { rule: 'paths.deny', reason: `the path matches ${JSON.stringify(denied)} in paths.deny for ${rule.host}` };
  const allowed = paths?.allow;
  if (allowed && !allowed.some((pattern) => pathMatches(pattern, path))) {
    return { rule: 'paths.allow', reason: `the path matches none of paths.allow (${allowed.join(', ')}) for ${rule.host}` };
  }
  return undefined;
}
