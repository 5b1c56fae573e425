/**
 * gate-repo: the bottle's repository at the git gate, made and kept up to
 * date on the host (lib/gate/seed.ts): the host repository's branches and
 * tags, HEAD at the branch the workspace starts on; refs the agent may push
 * to are left alone. It runs again when the host repository's refs or HEAD
 * move (they are in its fingerprint). Its files go to the bundle's user, who
 * serves and receives pushes into them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gateRepoOf, gitFor } from '../lib/gate/of-plan.js';
import { hostRepoState, seedGateRepo } from '../lib/gate/seed.js';
import { HOST_CPU } from '../lib/limits/names.js';
import { bundleOwner, handOver } from '../lib/state/bundle-owner.js';
import { bottleFiles } from '../lib/state/layout.js';
import { ensureDir } from '../lib/state/root.js';
import { prepare } from './prepare.js';
import { bottleTask } from './context.js';

export interface GateRepoOutput {
  /** The bare repository on the host. */
  gateRepo: string;
  branch: string;
  /** The branch's commit; null when it has none yet. */
  commit: string | null;
}

export const gateRepo = bottleTask({
  id: 'gate-repo',
  title: 'Gate repository',
  summary: "the gate repository: git.repo's branches and tags, HEAD at the workspace's branch",
  needs: [prepare],
  resources: [HOST_CPU],
  retry: { attempts: 2 },
  timeoutMs: 300_000,
  fingerprint: async (ctx) => {
    const { git, gate } = ctx.plan;
    return { git, push: gate.push, host: git ? await hostRepoState(await gitFor(ctx.plan), git.repo) : null };
  },
  run: async (ctx, io): Promise<GateRepoOutput> => {
    const { plan } = ctx;
    const files = bottleFiles(plan.stateDir);
    await ensureDir(files.gateDir);
    const path = gateRepoOf(ctx.plan);
    const seeded = await seedGateRepo(await gitFor(ctx.plan), {
      gateRepo: path,
      hostRepo: plan.git?.repo ?? null,
      branch: plan.git?.branch ?? null,
      push: plan.gate.push,
      signal: io.signal,
      log: io.log,
    });
    io.log(`${plan.gate.repo}: ${seeded.refs} refs from the host, HEAD at ${seeded.branch} (${seeded.commit?.slice(0, 12) ?? 'no commit yet'})`);
    await handOver(files.gateDir, bundleOwner());
    return { gateRepo: path, branch: seeded.branch, commit: seeded.commit };
  },
  isDone: (_ctx, out) => existsSync(join(out.gateRepo, 'HEAD')),
});
