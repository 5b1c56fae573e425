/**
 * skills: each skill's host directory put in place as `<skills dir>/<name>`,
 * owned by the agent user, emptied first (a file dropped from the skill goes
 * from the guest too): one archive of files, no program run in the guest. No
 * skills: nothing reaches the guest.
 */
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { basename, dirname } from 'node:path';
import { hashTree } from '../lib/fs/hash-tree.js';
import { treeEntries, type GuestEntry } from '../lib/backends/guest-files.js';
import { resolveSkills } from '../lib/plan/skills.js';
import { prepare } from './prepare.js';
import { startVm } from './start-vm.js';
import { backendOf, bottleTask, op } from './context.js';

export interface SkillsOutput {
  dir: string;
  skills: string[];
}

export const skills = bottleTask({
  id: 'skills',
  title: 'Skills',
  needs: [prepare, startVm],
  resources: [BACKEND_CALLS],
  retry: { attempts: 2 },
  timeoutMs: 120_000,
  // Skill contents are inputs: editing a skill re-runs this task (and only what needs it).
  fingerprint: async (ctx) => ({
    dir: ctx.plan.guestSkillsDir,
    skills: await Promise.all(resolveSkills(ctx.plan.skills, ctx.plan.skillDirs).map(async (s) => [s.name, await hashTree(s.dir)])),
  }),
  run: async (ctx, io): Promise<SkillsOutput> => {
    const { plan } = ctx;
    const found = io.needs.prepare.skills;
    if (found.length === 0) return { dir: plan.guestSkillsDir, skills: [] };
    // Under the home the user owns, every directory on the way is put in place too; elsewhere its parent must exist.
    const inHome = plan.guestSkillsDir.startsWith(`${plan.guestHome}/`);
    const dir = inHome ? plan.guestHome : dirname(plan.guestSkillsDir);
    const under = inHome ? plan.guestSkillsDir.slice(plan.guestHome.length + 1) : basename(plan.guestSkillsDir);
    const entries: GuestEntry[] = [{ path: under, dir: true, mode: 0o755 }];
    for (const skill of found) entries.push(...(await treeEntries(skill.dir, `${under}/${skill.name}`)));
    await backendOf(ctx).putFiles(io.needs['start-vm'].machine, { dir, user: plan.user, entries }, op(io));
    return { dir: plan.guestSkillsDir, skills: found.map((s) => s.name) };
  },
});
