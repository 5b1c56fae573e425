/**
 * `git` of a bottle: the host repository the agent works on through the git
 * gate, the branch its workspace starts on, the refs it may push, patterns of
 * secrets its pushes must not carry, and the identity of its commits. It
 * checks the shape only (a branch name git would take, a pattern that
 * compiles and cannot match nothing); whether `repo` exists, and which branch
 * is current there, is found when the bottle is planned.
 */
import * as z from 'zod';
import { expected, quote } from './describe.js';
import { hostPathSchema, systemString } from './system-strings.js';
import { matchesEmpty } from './matches-empty.js';

export const PUSH_PATTERN = /^refs\/[A-Za-z0-9._/*-]+$/;

const pushPatternSchema = z.string().regex(PUSH_PATTERN, {
  error: expected(
    'a ref pattern that starts with "refs/" and uses only letters, digits and . _ / * -',
    'e.g. "refs/heads/agent/*"',
  ),
});

/** What is wrong with a branch name by git's rules (`git check-ref-format --branch`), or undefined. */
export function branchProblem(name: string): string | undefined {
  if (name.length > 255) return 'use at most 255 characters';
  if (name.startsWith('-')) return 'do not start it with "-"';
  if (name.startsWith('refs/')) return 'write the short name, e.g. "main", not "refs/heads/main"';
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return 'leave out spaces, control characters and ~ ^ : ? * [ \\';
  if (name.includes('..') || name.includes('@{') || name === '@') return 'leave out "..", "@{" and a lone "@"';
  if (name.split('/').some((part) => part === '' || part.startsWith('.') || part.endsWith('.lock'))) {
    return 'each "/"-separated part must be non-empty, not start with "." and not end with ".lock"';
  }
  if (name.endsWith('.')) return 'do not end it with "."';
  return undefined;
}

const branchSchema = z.string().superRefine((name, ctx) => {
  const problem = branchProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: `expected a branch name, got ${quote(name)}: ${problem}` });
});

/** What is wrong with a secret pattern, or undefined. */
export function secretPatternProblem(pattern: string): string | undefined {
  if (pattern.length > 1000) return 'use at most 1000 characters';
  try {
    new RegExp(pattern);
  } catch (error) {
    return `it is not a valid regular expression (${(error as Error).message})`;
  }
  // A pattern that matches nothing at all would refuse every push. Decided
  // without running it: a pattern that backtracks badly would hang validation.
  if (matchesEmpty(pattern)) return 'it matches the empty text, so it would refuse every push; make it match the secret itself';
  return undefined;
}

const patternSchema = z.string().superRefine((pattern, ctx) => {
  const problem = secretPatternProblem(pattern);
  if (problem) ctx.addIssue({ code: 'custom', message: `expected a regular expression, got ${quote(pattern)}: ${problem}` });
});

const secretSchema = z.union([
  patternSchema,
  z.strictObject({
    name: z.string().min(1).max(100).meta({ description: 'Shown to the pusher when a push is refused.' }),
    pattern: patternSchema,
  }),
]);

export const gitSchema = z
  .strictObject({
    repo: hostPathSchema().meta({ description: "Path of a repository on the host, relative to the manifest's directory." }),
    branch: branchSchema
      .optional()
      .meta({ description: "The branch the agent's workspace starts on; the host repository's current branch by default." }),
    push: z
      .array(pushPatternSchema)
      .max(100)
      .optional()
      .meta({ description: 'Ref patterns the agent may push to ("*" matches any run of characters); "refs/heads/bottle/<agent>/*" by default; [] refuses every push.' }),
    secrets: z
      .array(secretSchema)
      .max(100)
      .optional()
      .meta({ description: 'More patterns (regular expressions, or { name, pattern }) a pushed file must not match, besides private keys and the known API key shapes.' }),
    user: z
      .strictObject({ name: systemString(z.string().min(1)), email: systemString(z.string().min(1)) })
      .optional()
      .meta({ description: 'Author and committer of the agent\'s commits.' }),
  })
  .meta({ description: 'The repository the agent works on, through the git gate.' });
