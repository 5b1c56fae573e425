/**
 * The agent's workspace, as files: a clone of the bottle's gate repository
 * made on the host, on the branch the plan starts from, its `origin` the git
 * gate's URL (so the agent fetches and pushes through the gate), with no
 * config of the host's in it (bottle's git reads none). An empty gate gives
 * the empty repository a clone would, written out without git. Every file is
 * read into the request (the archive is built in memory). It writes only a
 * temp directory under the bottle's state dir, removed before it returns.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { treeEntries, type GuestEntry } from '../backends/guest-files.js';
import type { FilesRequest } from '../backends/types.js';
import { gitQuoted, type HostGit } from '../gate/host-git.js';
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
  const under = plan.guestWorkspace.slice(plan.guestHome.length + 1);
  // Nothing to clone: the empty repository a clone would give, written out (most bottles, no git process).
  if (source.commit === null) return { dir: plan.guestHome, user: plan.user, entries: emptyRepository(under, source.branch, plan.gitOrigin) };
  await assertPlainTree(source.gateRepo);
  const temp = await mkdtemp(join(plan.stateDir, 'workspace-'));
  try {
    const dir = join(temp, 'workspace');
    const opts = signal ? { signal } : {};
    await git(['clone', '--quiet', '--no-hardlinks', '--branch', source.branch, source.gateRepo, dir], opts);
    await git(['-C', dir, 'remote', 'set-url', 'origin', plan.gitOrigin], opts);
    return { dir: plan.guestHome, user: plan.user, entries: await treeEntries(dir, under) };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** `git clone` of an empty repository: HEAD on `branch`, origin at the gate, no commit. */
function emptyRepository(workspace: string, branch: string, origin: string): GuestEntry[] {
  const git = `${workspace}/.git`;
  const config =
    '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n' +
    `[remote "origin"]\n\turl = ${gitQuoted(origin)}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n` +
    `[branch ${gitQuoted(branch)}]\n\tremote = origin\n\tmerge = ${gitQuoted(`refs/heads/${branch}`)}\n`;
  return [
    { path: workspace, dir: true, mode: 0o755, fresh: true },
    { path: git, dir: true, mode: 0o755 },
    { path: `${git}/HEAD`, content: `ref: refs/heads/${branch}\n`, mode: 0o644 },
    { path: `${git}/config`, content: config, mode: 0o644 },
    ...['objects', 'objects/info', 'objects/pack', 'refs', 'refs/heads', 'refs/tags'].map((d) => ({ path: `${git}/${d}`, dir: true as const, mode: 0o755 })),
  ];
}
