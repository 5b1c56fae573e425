/**
 * skills: each skill's host directory put in place as `<skills dir>/<name>`,
 * owned by the agent user, emptied first (lib/provision/skills.ts): one
 * archive of files, no program run in the guest; a new machine had them
 * already. No skills: nothing reaches the guest.
 */
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { hashTree } from '../lib/fs/hash-tree.js';
import { resolveSkills } from '../lib/plan/skills.js';
import { skillFiles } from '../lib/provision/skills.js';
import { prepare } from './prepare.js';
import { cameWithMachine, startVm } from './start-vm.js';
import { backendOf, bottleTask, op } from './context.js';

export interface SkillsOutput {
  dir: string;
  skills: string[];
}

export const skills = bottleTask({
  id: 'skills',
  title: 'Skills',
  summary: 'the skills into ~/.claude/skills',
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
    const files = await skillFiles(plan, found);
    if (files && !cameWithMachine(io)) await backendOf(ctx).putFiles(io.needs['start-vm'].machine, files, op(io));
    return { dir: plan.guestSkillsDir, skills: found.map((s) => s.name) };
  },
});
