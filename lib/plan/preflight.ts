/**
 * Checks of the host that need no machine: every skill exists, every git repo
 * is a repository with the branch the workspace starts on (or a current
 * branch, when none is named). Run before `bottle up` starts anything, so bad
 * input fails at once with exit 2 and nothing half-made. git is asked once
 * per repository and branch, however many bottles share them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TaskError } from '../engine/index.js';
import { run } from '../process/run.js';
import { resolveSkills } from './skills.js';
import type { BottlePlan } from './types.js';

/** Every problem of every plan, one sentence each. */
export async function preflight(plans: readonly BottlePlan[]): Promise<string[]> {
  const problems: string[] = [];
  const branches = new Map<string, Promise<string | undefined>>();
  for (const plan of plans) {
    for (const skill of plan.skills) {
      try {
        resolveSkills([skill], plan.skillDirs);
      } catch (error) {
        problems.push(`agent "${plan.agent}": ${(error as TaskError).message}`);
      }
    }
    if (plan.git && !existsSync(join(plan.git.repo, '.git')) && !existsSync(join(plan.git.repo, 'HEAD'))) {
      problems.push(`bottle "${plan.bottle}": git.repo ${plan.git.repo} is not a git repository; run \`git init\` there or fix the path`);
    } else if (plan.git) {
      const { repo, branch } = plan.git;
      const key = `${repo}\0${branch ?? ''}`;
      if (!branches.has(key)) branches.set(key, branchProblem(repo, branch).then((p) => p && `bottle "${plan.bottle}": ${p}`));
    }
  }
  for (const problem of await Promise.all(branches.values())) if (problem) problems.push(problem);
  return problems;
}

/** What is wrong with starting on `branch` (null: the current one) of `repo`, or undefined. */
async function branchProblem(repo: string, branch: string | null): Promise<string | undefined> {
  const git = (...args: string[]) => run('git', ['-C', repo, ...args], { env: { GIT_TERMINAL_PROMPT: '0' } });
  const heads = (await git('for-each-ref', '--format=%(refname:short)', 'refs/heads/')).stdout.split('\n').filter(Boolean);
  if (branch === null) {
    const current = await git('symbolic-ref', '--quiet', '--short', 'HEAD');
    if (current.exitCode === 0) return undefined;
    return `the HEAD of git.repo ${repo} is detached (no current branch); set git.branch to one of ${heads.slice(0, 10).join(', ') || '(no branch yet)'}, or check out a branch there`;
  }
  if (heads.length === 0 || heads.includes(branch)) return undefined;
  return `git.branch "${branch}" is not a branch of ${repo}; its branches are ${heads.slice(0, 10).join(', ')}${heads.length > 10 ? ', ...' : ''}. Set git.branch to one of them, or create it there`;
}
