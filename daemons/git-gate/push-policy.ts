/**
 * The gate's rules for one ref update, given the facts git found: the ref
 * must match a push pattern, must not be deleted, must move forward (a new
 * ref may start anywhere), and must bring no object matching a secret
 * pattern. Each broken rule is a Refusal whose message says which ref,
 * which rule and what to do; for a secret it names the pattern, the file and
 * the commit, never the text that matched. It runs no git (check-push.ts
 * gathers the facts) and writes nothing.
 */
import type { RefRules } from './ref-rules.js';
import { exampleRef } from './ref-rules.js';
import type { RefUpdate } from './ref-updates.js';

export type RefusalRule = 'ref-not-allowed' | 'deletion' | 'non-fast-forward' | 'secret' | 'time-limit' | 'gate-error';

export interface Refusal {
  /** The ref refused; null when the whole push is (time limit, gate error). */
  readonly ref: string | null;
  readonly rule: RefusalRule;
  /** One line, shown to the pusher and kept in the audit log. */
  readonly message: string;
}

export interface UpdateFacts {
  /** Whether `old` is an ancestor of `new`; only asked for a kind `update`. */
  readonly fastForward?: boolean;
}

/** The refusals of one update's ref and history rules (secrets are found apart: secretRefusal). */
export function refusalsOf(update: RefUpdate, rules: RefRules, facts: UpdateFacts): readonly Refusal[] {
  const refusals: Refusal[] = [];
  const { ref } = update;
  if (!rules.allows(ref)) refusals.push({ ref, rule: 'ref-not-allowed', message: notAllowedMessage(ref, rules.patterns) });
  if (update.kind === 'delete') {
    refusals.push({ ref, rule: 'deletion', message: `${ref}: deleting a ref is not allowed through the gate; leave the branch, or push a new one` });
  }
  if (update.kind === 'update' && facts.fastForward === false) {
    const move = `${short(update.old)} is not an ancestor of ${short(update.new)}`;
    const advice = 'force pushes are refused; fetch, then rebase or merge onto the remote branch and push again, or push to a new branch';
    refusals.push({ ref, rule: 'non-fast-forward', message: `${ref}: not a fast-forward (${move}); ${advice}` });
  }
  return refusals;
}

/** Where a secret was found: a file of a commit, or a commit's (or tag's) own text. */
export interface SecretFinding {
  readonly ref: string;
  readonly patterns: readonly string[];
  readonly object: { readonly id: string; readonly type: 'blob' | 'commit' | 'tag' };
  /** The file's path, for a blob. */
  readonly path?: string;
  /** The commit that adds the blob, when git could tell. */
  readonly commit?: string;
}

export function secretRefusal(finding: SecretFinding): Refusal {
  const { ref, object } = finding;
  const which = finding.patterns.map((name) => JSON.stringify(name)).join(', ');
  const what =
    object.type === 'blob'
      ? `${finding.commit ? `commit ${short(finding.commit)}` : `a commit pushed to ${ref}`} adds ${finding.path ? JSON.stringify(finding.path) : `a file`} (blob ${short(object.id)})`
      : `the message of ${object.type} ${short(object.id)}`;
  const advice = 'remove it from every commit of the push (git rebase -i, or git commit --amend for the last one) and push again; if it is a real secret, also revoke it';
  return {
    ref,
    rule: 'secret',
    message: `${ref}: ${what}, which matches the secret pattern${finding.patterns.length > 1 ? 's' : ''} ${which}; ${advice}`,
  };
}

export function timeLimitRefusal(limitMs: number): Refusal {
  return {
    ref: null,
    rule: 'time-limit',
    message: `the gate's checks did not finish within ${limitMs} ms, so the push is refused; push fewer or smaller commits at a time`,
  };
}

export function gateErrorRefusal(error: unknown): Refusal {
  const text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  return { ref: null, rule: 'gate-error', message: `the gate could not check this push, so it is refused: ${text}` };
}

function notAllowedMessage(ref: string, patterns: readonly string[]): string {
  if (patterns.length === 0) return `${ref}: this bottle may not push to any ref`;
  const list = patterns.join(', ');
  const example = exampleRef(patterns[0] ?? '');
  return `${ref}: this bottle may push only to ${list}; push there instead, e.g. git push origin HEAD:${example}`;
}

/** The first 12 hex digits of an object id, enough to name it to a person. */
export function short(id: string): string {
  return id.slice(0, 12);
}
