/**
 * Finds secrets in what a push brings: every new blob, commit and tag of the
 * pushed refs (trees hold only names and ids), read through one cat-file
 * process and scanned whole, piece by piece. An object reached from several
 * refs is scanned once, for the first. For a blob found, git is asked which
 * pushed commit adds it, so the pusher knows where to look. It does not
 * decide anything from the findings (push-policy.ts words them).
 */
import { readObjects } from './cat-file.js';
import type { GitContext } from './git-command.js';
import { commitAdding, listNewObjects } from './new-objects.js';
import type { SecretFinding } from './push-policy.js';
import type { RefUpdate } from './ref-updates.js';
import type { SecretPattern } from '../common/secret-patterns.js';
import type { PatternTest } from '../common/secret-scan.js';
import { scanForSecrets } from '../common/secret-scan.js';

export interface FindSecretsOptions {
  readonly patterns: readonly SecretPattern[];
  readonly git: GitContext;
  /** How a window of text is tested (timed-regex.ts bounds it by the deadline). */
  readonly test?: PatternTest;
}

export async function findSecrets(updates: readonly RefUpdate[], options: FindSecretsOptions): Promise<readonly SecretFinding[]> {
  const { patterns, git } = options;
  const origins = new Map<string, { readonly update: RefUpdate; readonly path: string }>();
  for (const update of updates) {
    if (update.kind === 'delete') continue;
    for (const object of await listNewObjects(update.new, git)) {
      if (!origins.has(object.id)) origins.set(object.id, { update, path: object.path });
    }
  }

  const found: { readonly id: string; readonly type: SecretFinding['object']['type']; readonly names: readonly string[] }[] = [];
  for await (const object of readObjects([...origins.keys()], git)) {
    if (object.type === 'tree') continue;
    const names = await scanForSecrets(object.content, patterns, options.test ? { test: options.test } : {});
    if (names.length > 0) found.push({ id: object.id, type: object.type, names });
  }

  const findings: SecretFinding[] = [];
  for (const { id, type, names } of found) {
    const origin = origins.get(id);
    if (!origin) continue;
    const { update, path } = origin;
    const commit = type === 'blob' ? await commitAdding(id, update.new, git) : undefined;
    findings.push({
      ref: update.ref,
      patterns: names,
      object: { id, type },
      ...(type === 'blob' && path !== '' ? { path } : {}),
      ...(commit ? { commit } : {}),
    });
  }
  return findings;
}
