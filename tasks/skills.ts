/**
 * skills: `mkdir -p <skills dir>` once, then per skill `rm -rf` its guest dir
 * and copy the host dir in (a tar stream unpacked by the guest user). No
 * skills: nothing runs in the guest.
 */
import { hashTree } from '../lib/fs/hash-tree.js';
import { resolveSkills } from '../lib/plan/skills.js';
import { prepare } from './prepare.js';
import { startVm } from './start-vm.js';
import { backendOf, bottleTask, op } from './context.js';
import { execOk } from './guest.js';

export interface SkillsOutput {
  dir: string;
  skills: string[];
}

export const skills = bottleTask({
  id: 'skills',
  title: 'Skills',
  needs: [prepare, startVm],
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
    const backend = backendOf(ctx);
    const machine = io.needs['start-vm'].machine;
    const asUser = { ...op(io), user: plan.user };
    await execOk(backend, machine, ['mkdir', '-p', plan.guestSkillsDir], asUser);
    for (const skill of found) {
      await execOk(backend, machine, ['rm', '-rf', `${plan.guestSkillsDir}/${skill.name}`], asUser);
      await backend.copyDir(machine, skill.dir, plan.guestSkillsDir, asUser);
    }
    return { dir: plan.guestSkillsDir, skills: found.map((s) => s.name) };
  },
});
