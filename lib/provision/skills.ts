/**
 * The skills in the guest: each skill's host directory as `<skills dir>/<name>`,
 * emptied first (a file dropped from a skill goes from the guest too). Under
 * the home the user owns, every directory on the way is put in place too;
 * elsewhere the skills dir's parent must exist.
 */
import { basename, dirname } from 'node:path';
import { treeEntries, type GuestEntry } from '../backends/guest-files.js';
import type { FilesRequest } from '../backends/types.js';
import type { ResolvedSkill } from '../plan/skills.js';
import type { BottlePlan } from '../plan/types.js';

/** Nothing when there are no skills. */
export async function skillFiles(plan: BottlePlan, skills: readonly ResolvedSkill[]): Promise<FilesRequest | undefined> {
  if (skills.length === 0) return undefined;
  const inHome = plan.guestSkillsDir.startsWith(`${plan.guestHome}/`);
  const dir = inHome ? plan.guestHome : dirname(plan.guestSkillsDir);
  const under = inHome ? plan.guestSkillsDir.slice(plan.guestHome.length + 1) : basename(plan.guestSkillsDir);
  const entries: GuestEntry[] = [{ path: under, dir: true, mode: 0o755 }];
  for (const skill of skills) entries.push(...(await treeEntries(skill.dir, `${under}/${skill.name}`)));
  return { dir, user: plan.user, entries };
}
