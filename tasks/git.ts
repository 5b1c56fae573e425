/**
 * git: the guest's git identity, as a file put in place (lib/plan/git-files.ts).
 * The workspace repository, whose `origin` is the bundle's git gate, is part
 * of a new machine (start-vm puts it there before the machine first starts,
 * so the agent's work in it is never touched again). The agent never holds
 * the host's credentials: only the gate talks to the host repository.
 */
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { identityEntries } from '../lib/plan/git-files.js';
import { startVm } from './start-vm.js';
import { backendOf, bottleTask, op, type BottleCtx } from './context.js';

export interface GitOutput {
  name: string;
  email: string;
  workspace: string;
  origin: string;
}

function wanted(ctx: BottleCtx): GitOutput {
  const { plan } = ctx;
  return { ...plan.gitIdentity, workspace: plan.guestWorkspace, origin: plan.gitOrigin };
}

export const git = bottleTask({
  id: 'git',
  title: 'Git',
  needs: [startVm],
  resources: [BACKEND_CALLS],
  retry: { attempts: 2 },
  timeoutMs: 60_000,
  fingerprint: (ctx) => wanted(ctx),
  run: async (ctx, io): Promise<GitOutput> => {
    const { plan } = ctx;
    await backendOf(ctx).putFiles(io.needs['start-vm'].machine, { dir: plan.guestHome, user: plan.user, entries: identityEntries(plan.gitIdentity) }, op(io));
    return wanted(ctx);
  },
});
