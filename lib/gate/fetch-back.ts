/**
 * What an agent pushed, brought home: the refs of the gate repository the
 * agent may push to, fetched into the host repository as
 * `refs/remotes/bottle/<agent>/<name>` (`refs/heads/bottle/<agent>/x` becomes
 * `refs/remotes/bottle/<agent>/x`, any other branch keeps its name under that
 * prefix). No other ref of the host repository is written, and no tag. The
 * gate repository is written by a daemon in a sandbox, so before git reads it
 * bottle checks it holds no link (plain-tree.ts), puts its own config back and
 * drops what could point git elsewhere (alternates, commondir). It does not print (the CLI does).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createRefRules } from '../../daemons/git-gate/ref-rules.js';
import { writeFileAtomic } from '../state/atomic-write.js';
import type { HostGit } from './host-git.js';
import { assertPlainTree } from './plain-tree.js';
import { GATE_REPO_CONFIG } from './seed.js';

export interface AgentRef {
  /** The ref at the gate. */
  ref: string;
  commit: string;
  /** Where `bottle git fetch` puts it in the host repository. */
  into: string;
}

/** Puts the gate repository back the way bottle made it, as far as git's reading it goes. */
export async function tidyGateRepo(gateRepo: string): Promise<void> {
  await assertPlainTree(gateRepo);
  await writeFileAtomic(join(gateRepo, 'config'), GATE_REPO_CONFIG, 0o644);
  for (const file of ['objects/info/alternates', 'objects/info/http-alternates', 'commondir']) await rm(join(gateRepo, file), { force: true });
}

/** The refs of the gate repository the agent may push to, each with where it lands on the host. */
export async function agentRefs(git: HostGit, gateRepo: string, agent: string, push: readonly string[]): Promise<AgentRef[]> {
  await tidyGateRepo(gateRepo);
  const rules = createRefRules(push);
  const { stdout } = await git(['--git-dir', gateRepo, 'for-each-ref', '--format=%(objectname) %(refname)']);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [commit = '', ref = ''] = line.split(' ');
      return { ref, commit, into: hostRefFor(agent, ref) };
    })
    .filter((r) => rules.allows(r.ref));
}

export function hostRefFor(agent: string, ref: string): string {
  const own = `refs/heads/bottle/${agent}/`;
  const name = ref.startsWith(own) ? ref.slice(own.length) : ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref.slice('refs/'.length);
  return `refs/remotes/bottle/${agent}/${name}`;
}

/** Fetches the agent's refs into the host repository; returns them (none: nothing was fetched). */
export async function fetchBack(git: HostGit, input: { gateRepo: string; hostRepo: string; agent: string; push: readonly string[]; signal?: AbortSignal }): Promise<AgentRef[]> {
  const refs = await agentRefs(git, input.gateRepo, input.agent, input.push);
  if (refs.length === 0) return [];
  await git(['-C', input.hostRepo, 'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--stdin', input.gateRepo], {
    input: refs.map((r) => `+${r.ref}:${r.into}\n`).join(''),
    ...(input.signal && { signal: input.signal }),
  });
  return refs;
}

/** The commits of the agent's refs that no other ref of the gate has (what it added), newest first, per ref. */
export async function agentLog(git: HostGit, gateRepo: string, refs: readonly AgentRef[], max = 50): Promise<{ ref: AgentRef; lines: string[] }[]> {
  const theirs = new Set(refs.map((r) => r.ref));
  const { stdout } = await git(['--git-dir', gateRepo, 'for-each-ref', '--format=%(refname)']);
  const others = stdout.split('\n').filter((ref) => ref && !theirs.has(ref));
  const logs = [];
  for (const ref of refs) {
    const log = await git(['--git-dir', gateRepo, 'log', `--max-count=${max}`, '--date=short', '--format=%h %ad %an: %s', ref.commit, '--not', ...others, '--']);
    logs.push({ ref, lines: log.stdout.split('\n').filter(Boolean) });
  }
  return logs;
}
