/**
 * git: the guest's git identity, and a workspace repository whose `origin` is
 * the bundle's git gate. The agent never holds the host's credentials: only
 * the gate talks to the host repository.
 */
import { daemons } from './daemons.js';
import { basename } from 'node:path';
import { GIT_GATE_PORT } from '../lib/plan/types.js';
import { startVm } from './start-vm.js';
import { backendOf, bottleTask, op, type BottleCtx } from './context.js';
import { execOk } from './guest.js';

export interface GitOutput {
  name: string;
  email: string;
  workspace: string;
  origin: string;
}

function wanted(ctx: BottleCtx): GitOutput {
  const { plan } = ctx;
  const repoName = plan.git ? basename(plan.git.repo).replace(/\.git$/, '') : plan.agent;
  return {
    ...plan.gitIdentity,
    workspace: plan.guestWorkspace,
    origin: `http://${plan.bundleHost}:${GIT_GATE_PORT}/${repoName}.git`,
  };
}

export const git = bottleTask({
  id: 'git',
  title: 'Git',
  needs: [startVm, daemons],
  retry: { attempts: 2 },
  timeoutMs: 60_000,
  fingerprint: (ctx) => wanted(ctx),
  run: async (ctx, io): Promise<GitOutput> => {
    const want = wanted(ctx);
    const backend = backendOf(ctx);
    const machine = io.needs['start-vm'].machine;
    const asUser = { ...op(io), user: ctx.plan.user };
    const gitIn = (...args: string[]) => execOk(backend, machine, ['git', ...args], asUser);
    await gitIn('config', '--global', 'user.name', want.name);
    await gitIn('config', '--global', 'user.email', want.email);
    await gitIn('init', '--quiet', want.workspace);
    const current = await backend.exec(machine, ['git', '-C', want.workspace, 'remote', 'get-url', 'origin'], asUser);
    await gitIn('-C', want.workspace, 'remote', current.exitCode === 0 ? 'set-url' : 'add', 'origin', want.origin);
    // Read back what a user of the guest will see.
    const name = (await gitIn('config', '--global', 'user.name')).stdout.trim();
    const origin = (await gitIn('-C', want.workspace, 'remote', 'get-url', 'origin')).stdout.trim();
    io.log(`git identity ${name} <${want.email}>, origin ${origin}`);
    return { ...want, name, origin };
  },
});
