/**
 * Checks a whole push against the gate's rules: for each update, the ref
 * patterns, deletion and fast-forward rules (push-policy.ts, with the
 * ancestry asked of git), then the secret scan of everything the push
 * brings (find-secrets.ts). All refusals are returned, so the pusher can fix
 * everything at once; none means the push may go in. It does not read the
 * config, talk to the pusher or write the audit log (pre-receive.ts does).
 */
import { findSecrets } from './find-secrets.js';
import type { GitContext } from './git-command.js';
import { isAncestor } from './new-objects.js';
import type { Refusal } from './push-policy.js';
import { refusalsOf, secretRefusal } from './push-policy.js';
import type { RefRules } from './ref-rules.js';
import type { RefUpdate } from './ref-updates.js';
import type { SecretPattern } from '../common/secret-patterns.js';
import type { PatternTest } from '../common/secret-scan.js';

export interface CheckPushOptions {
  readonly rules: RefRules;
  readonly patterns: readonly SecretPattern[];
  readonly git: GitContext;
  readonly test?: PatternTest;
}

export async function checkPush(updates: readonly RefUpdate[], options: CheckPushOptions): Promise<readonly Refusal[]> {
  const refusals: Refusal[] = [];
  for (const update of updates) {
    const fastForward = update.kind === 'update' ? await isAncestor(update.old, update.new, options.git) : undefined;
    refusals.push(...refusalsOf(update, options.rules, fastForward === undefined ? {} : { fastForward }));
  }
  const findings = await findSecrets(updates, options);
  return [...refusals, ...findings.map(secretRefusal)];
}
