/**
 * prepare: the bottle's state dir (0700), its skills found on the host (a
 * missing one fails here, before any machine starts), its CA, and plan.json.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../lib/state/atomic-write.js';
import { ensureDir } from '../lib/state/root.js';
import { caDigest, ensureCa } from '../lib/ca/openssl.js';
import { resolveSkills, type ResolvedSkill } from '../lib/plan/skills.js';
import { bottleTask } from './context.js';

export interface PrepareOutput {
  skills: ResolvedSkill[];
  caCert: string;
  caKey: string;
  /** Changes only when the CA is made anew. */
  caDigest: string;
}

export const prepare = bottleTask<PrepareOutput>({
  id: 'prepare',
  title: 'Prepare',
  fingerprint: (ctx) => ctx.plan,
  isDone: (ctx, out) => existsSync(join(ctx.plan.stateDir, 'plan.json')) && existsSync(out.caCert) && existsSync(out.caKey),
  run: async (ctx, io) => {
    const { plan } = ctx;
    await ensureDir(plan.stateDir);
    await ensureDir(join(plan.stateDir, 'agent'));
    const skills = resolveSkills(plan.skills, plan.skillDirs);
    for (const s of skills) io.log(`skill ${s.name}: ${s.dir}`);
    const ca = await ensureCa(join(plan.stateDir, 'ca'), `bot-bottle CA ${plan.slug}`, { signal: io.signal, log: io.log });
    await writeFileAtomic(join(plan.stateDir, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`);
    return { skills, caCert: ca.cert, caKey: ca.key, caDigest: await caDigest(ca) };
  },
});
