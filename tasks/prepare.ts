/**
 * prepare: the bottle's state dir (0700), its skills found on the host (a
 * missing one fails here, before any machine starts), its CA, and plan.json.
 */
import { HOST_CPU } from '../lib/limits/names.js';
import { BOTTLE_CA_SUBJECT } from '../lib/ca/roots.js';
import { bottleFiles } from '../lib/state/layout.js';
import { existsSync } from 'node:fs';
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

export const prepare = bottleTask({
  id: 'prepare',
  title: 'Prepare',
  summary: 'state dir, skills found on the host, the bottle CA, plan.json',
  resources: [HOST_CPU],
  fingerprint: (ctx) => ctx.plan,
  run: async (ctx, io): Promise<PrepareOutput> => {
    const { plan } = ctx;
    const files = bottleFiles(plan.stateDir);
    await ensureDir(files.dir);
    await ensureDir(files.agentDir);
    const skills = resolveSkills(plan.skills, plan.skillDirs);
    for (const s of skills) io.log(`skill ${s.name}: ${s.dir}`);
    const ca = await ensureCa(files.caDir, `${BOTTLE_CA_SUBJECT} ${plan.slug}`, { signal: io.signal, log: io.log });
    await writeFileAtomic(files.plan, `${JSON.stringify(plan, null, 2)}\n`);
    return { skills, caCert: ca.cert, caKey: ca.key, caDigest: await caDigest(ca) };
  },
  isDone: (ctx, out) => existsSync(bottleFiles(ctx.plan.stateDir).plan) && existsSync(out.caCert) && existsSync(out.caKey),
});
