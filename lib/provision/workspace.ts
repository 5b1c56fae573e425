/**
 * The agent's workspace, as files: a clone of the bottle's gate repository
 * made on the host, on the branch the plan starts from, its `origin` the git
 * gate's URL (so the agent fetches and pushes through the gate), with no
 * config of the host's in it (bottle's git reads none). Empty gate, empty
 * repository on that branch. Every file is read into the request (the
 * archive is built in memory). It writes only a temp directory under the
 * bottle's state dir, removed before it returns.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { treeEntries } from '../backends/guest-files.js';
import type { FilesRequest } from '../backends/types.js';
import type { HostGit } from '../gate/host-git.js';
import { assertPlainTree } from '../gate/plain-tree.js';
import type { BottlePlan } from '../plan/types.js';

export interface WorkspaceSource {
  /** The bare gate repository on the host. */
  gateRepo: string;
  branch: string;
  /** null: the branch has no commit yet. */
  commit: string | null;
}

export async function workspaceFiles(git: HostGit, plan: BottlePlan, source: WorkspaceSource, signal?: AbortSignal): Promise<FilesRequest> {
  await assertPlainTree(source.gateRepo);
  const temp = await mkdtemp(join(plan.stateDir, 'workspace-'));
  try {
    const dir = join(temp, 'workspace');
    const opts = signal ? { signal } : {};
    await git(['clone', '--quiet', '--no-hardlinks', ...(source.commit ? ['--branch', source.branch] : []), source.gateRepo, dir], opts);
    if (!source.commit) await git(['-C', dir, 'symbolic-ref', 'HEAD', `refs/heads/${source.branch}`], opts);
    await git(['-C', dir, 'remote', 'set-url', 'origin', plan.gitOrigin], opts);
    const under = plan.guestWorkspace.slice(plan.guestHome.length + 1);
    return { dir: plan.guestHome, user: plan.user, entries: await treeEntries(dir, under) };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
