/**
 * The gate repository of one bottle, made and brought up to date on the host:
 * a bare repository of bottle's own (its config written by bottle, so none of
 * the host's remotes, credentials, hooks or settings come along) holding the
 * host repository's branches and tags. Refs the agent may push to are the
 * agent's: a seed never writes or deletes them; every other branch and tag
 * follows the host's (moved, added, deleted). HEAD names the branch the
 * workspace starts on. Without a host repository the gate repository is
 * empty, HEAD at `main`. It does not hand the files to the bundle's user
 * (the gate-repo task does) or serve anything.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TaskError } from '../engine/index.js';
import { createRefRules } from '../../daemons/git-gate/ref-rules.js';
import { writeFileAtomic } from '../state/atomic-write.js';
import type { HostGit } from './host-git.js';
import { assertPlainTree } from './plain-tree.js';

export interface SeedInput {
  /** Absolute path of the bare gate repository. */
  gateRepo: string;
  /** The host repository, or null for an empty gate. */
  hostRepo: string | null;
  /** The branch to start on; null: the host repository's current one. */
  branch: string | null;
  /** The agent's ref patterns: left alone. */
  push: readonly string[];
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface SeedResult {
  /** The branch HEAD names. */
  branch: string;
  /** Its commit; null for an empty repository or an unborn branch. */
  commit: string | null;
  /** How many refs came from the host. */
  refs: number;
}

/**
 * What bottle writes as the gate repository's config, every time: nothing
 * else is kept. No hook of the repository's own ever runs (the gate sets its
 * hooks on git's command line, which wins).
 */
export const GATE_REPO_CONFIG =
  '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n\thooksPath = /dev/null\n[receive]\n\tdenyDeletes = true\n\tdenyNonFastForwards = true\n';

const NO_HOST_BRANCH = 'main';

export async function seedGateRepo(git: HostGit, input: SeedInput): Promise<SeedResult> {
  const { gateRepo, hostRepo, signal } = input;
  const opts = { ...(signal && { signal }), ...(input.log && { log: input.log }) };
  if (existsSync(gateRepo)) await assertPlainTree(gateRepo);
  if (!existsSync(join(gateRepo, 'HEAD'))) await initBare(gateRepo);
  // Renamed into place: a link standing there is replaced, not written through.
  await writeFileAtomic(join(gateRepo, 'config'), GATE_REPO_CONFIG, 0o644);
  const gate = (args: string[], more: { input?: string } = {}) => git(['--git-dir', gateRepo, ...args], { ...opts, ...more });
  if (hostRepo === null) {
    const branch = input.branch ?? NO_HOST_BRANCH;
    await writeFileAtomic(join(gateRepo, 'HEAD'), `ref: refs/heads/${branch}\n`, 0o644);
    // A new empty gate has no ref at all: no git process to ask.
    const hasRefs = existsSync(join(gateRepo, 'refs', 'heads', branch)) || existsSync(join(gateRepo, 'packed-refs'));
    return { branch, commit: hasRefs ? await commitOf(git, gateRepo, branch) : null, refs: 0 };
  }

  const agents = createRefRules(input.push);
  const hostRefs = (await refsOf(git, ['-C', hostRepo])).filter((ref) => !agents.allows(ref));
  const branch = input.branch ?? (await currentBranch(git, hostRepo));
  if (hostRefs.length > 0) {
    // One fetch of every host branch and tag, forced: the gate follows the host, whatever it did.
    await gate(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--stdin', hostRepo], { input: hostRefs.map((ref) => `+${ref}:${ref}\n`).join('') });
  }
  const gone = (await refsOf(git, ['--git-dir', gateRepo])).filter((ref) => !agents.allows(ref) && !hostRefs.includes(ref));
  if (gone.length > 0) await gate(['update-ref', '--stdin'], { input: gone.map((ref) => `delete ${ref}\n`).join('') });

  const hostBranches = hostRefs.filter((ref) => ref.startsWith('refs/heads/'));
  if (hostBranches.length > 0 && !hostBranches.includes(`refs/heads/${branch}`)) {
    const names = hostBranches.map((ref) => ref.slice('refs/heads/'.length));
    throw new TaskError(`git.branch "${branch}" is not a branch of ${hostRepo}; its branches are ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}. Set git.branch to one of them, or create it there`, { code: 'NO_SUCH_BRANCH' });
  }
  await gate(['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
  return { branch, commit: await commitOf(git, gateRepo, branch), refs: hostRefs.length };
}

/**
 * An empty bare repository, as `git init --bare` leaves it but for git's
 * sample hooks and description (the gate's hooks come from the gate): no git
 * process, since most bottles have no host repository and a batch makes many.
 */
async function initBare(gateRepo: string): Promise<void> {
  for (const dir of ['objects/info', 'objects/pack', 'refs/heads', 'refs/tags']) await mkdir(join(gateRepo, dir), { recursive: true });
  await writeFileAtomic(join(gateRepo, 'HEAD'), `ref: refs/heads/${NO_HOST_BRANCH}\n`, 0o644);
}

/** The branches and tags of a repository (`where`: `-C <dir>` or `--git-dir <dir>`). */
async function refsOf(git: HostGit, where: string[]): Promise<string[]> {
  const { stdout } = await git([...where, 'for-each-ref', '--format=%(refname)', 'refs/heads/', 'refs/tags/']);
  return stdout.split('\n').filter(Boolean);
}

async function currentBranch(git: HostGit, hostRepo: string): Promise<string> {
  const head = await git.try(['-C', hostRepo, 'symbolic-ref', '--quiet', '--short', 'HEAD']);
  if (head.exitCode === 0 && head.stdout.trim()) return head.stdout.trim();
  throw new TaskError(`the HEAD of ${hostRepo} is detached (no current branch) and git.branch is not set; set git.branch in the manifest, or check out a branch there`, { code: 'DETACHED_HEAD' });
}

async function commitOf(git: HostGit, gateRepo: string, branch: string): Promise<string | null> {
  const result = await git.try(['--git-dir', gateRepo, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/** What the host repository is now, cheaply: its refs and HEAD, for a fingerprint. */
export async function hostRepoState(git: HostGit, hostRepo: string): Promise<string> {
  const refs = await git.try(['-C', hostRepo, 'for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads/', 'refs/tags/']);
  const head = await git.try(['-C', hostRepo, 'symbolic-ref', '--quiet', 'HEAD']);
  return `${head.stdout.trim()}\n${refs.stdout}`;
}
