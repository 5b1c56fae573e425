/**
 * What a pushed ref brings that the repo did not have, and where it came
 * from, asked of git inside the pre-receive hook (its environment lets git
 * see the pushed objects still in quarantine): the objects reachable from the
 * new tip but from no existing ref, each with the path git first saw it at;
 * whether an update moves its ref forward; and which pushed commit adds a
 * given blob. It does not read object contents (cat-file.ts does).
 */
import type { GitContext } from './git-command.js';
import { runGit } from './git-command.js';

export interface NewObject {
  readonly id: string;
  /** The blob's or tree's path; '' for commits, tags and root trees. */
  readonly path: string;
}

// git 2.39 prints a path as is after one space; a path holding a newline is cut there.
const OBJECT_LINE = /^([0-9a-f]{40}|[0-9a-f]{64})(?: (.*))?$/;

/** Objects reachable from `tip` and from no ref the repo has now (`--not --all`). */
export async function listNewObjects(tip: string, context: GitContext): Promise<readonly NewObject[]> {
  const { stdout } = await runGit(['rev-list', '--objects', tip, '--not', '--all'], context);
  const objects: NewObject[] = [];
  for (const line of stdout.split('\n')) {
    const match = OBJECT_LINE.exec(line);
    if (match) objects.push({ id: match[1] ?? '', path: match[2] ?? '' });
  }
  return objects;
}

/** Whether `ancestor` is an ancestor of `descendant` (`git merge-base --is-ancestor`: exit 0 yes, 1 no). */
export async function isAncestor(ancestor: string, descendant: string, context: GitContext): Promise<boolean> {
  const { exitCode } = await runGit(['merge-base', '--is-ancestor', ancestor, descendant], context, [0, 1]);
  return exitCode === 0;
}

/** The oldest new commit reachable from `tip` that adds `blob` (merges compared with each parent), if git finds one. */
export async function commitAdding(blob: string, tip: string, context: GitContext): Promise<string | undefined> {
  const args = ['log', '--format=%H', '--reverse', '-m', `--find-object=${blob}`, tip, '--not', '--all'];
  const { stdout } = await runGit(args, context);
  return stdout.split('\n').find((line) => line !== '');
}
