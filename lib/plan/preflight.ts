/**
 * Checks of the host that need no machine: every skill exists, every git repo
 * is a repository. Run before `bottle up` starts anything, so bad input fails
 * at once with exit 2 and nothing half-made.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TaskError } from '../engine/index.js';
import { resolveSkills } from './skills.js';
import type { BottlePlan } from './types.js';

/** Every problem of every plan, one sentence each. */
export function preflight(plans: readonly BottlePlan[]): string[] {
  const problems: string[] = [];
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
    }
  }
  return problems;
}
