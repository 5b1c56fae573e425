/**
 * git: the guest's git identity, as a file put in place (lib/provision/git.ts;
 * a new machine had it already). The workspace repository, whose `origin` is
 * the bundle's git gate, is part of a new machine only, so the agent's work
 * in it is never touched again. The agent never holds the host's
 * credentials: only the gate talks to the host repository.
 */
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { identityFiles } from '../lib/provision/git.js';
import { cameWithMachine, startVm } from './start-vm.js';
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
  summary: "the git identity of the agent's commits",
  needs: [startVm],
  resources: [BACKEND_CALLS],
  retry: { attempts: 2 },
  timeoutMs: 60_000,
  fingerprint: (ctx) => wanted(ctx),
  run: async (ctx, io): Promise<GitOutput> => {
    if (!cameWithMachine(io)) await backendOf(ctx).putFiles(io.needs['start-vm'].machine, identityFiles(ctx.plan), op(io));
    return wanted(ctx);
  },
});
