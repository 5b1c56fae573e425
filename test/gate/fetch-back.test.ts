/**
 * Fetching back what an agent pushed, with the real git: its refs land in the
 * host repository under refs/remotes/bottle/<agent>/, nothing else there
 * moves, and what the sandbox could have planted in the gate repository
 * (its config, alternates) is not followed.
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { agentLog, agentRefs, fetchBack, hostRefFor } from '../../lib/gate/fetch-back.js';
import { hostGit, type HostGit } from '../../lib/gate/host-git.js';
import { GATE_REPO_CONFIG, seedGateRepo } from '../../lib/gate/seed.js';
import { tempDir } from '../state/temp-dir.js';

const PUSH = ['refs/heads/bottle/a/*'];
const ENV = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'U', GIT_AUTHOR_EMAIL: 'u@x', GIT_COMMITTER_NAME: 'U', GIT_COMMITTER_EMAIL: 'u@x' };
const user = async (repo: string, ...args: string[]) => (await execa('git', ['-C', repo, ...args], { env: ENV })).stdout;

async function setup(): Promise<{ host: string; gate: string; git: HostGit; work: string }> {
  const dir = await tempDir();
  const host = join(dir, 'host');
  await execa('git', ['init', '-q', '-b', 'main', host]);
  await writeFile(join(host, 'a.txt'), 'a\n');
  await user(host, 'add', '.');
  await user(host, 'commit', '-qm', 'host commit');
  const gate = join(dir, 'gate', 'a.git');
  const git = await hostGit(join(dir, 'host-git.config'), [gate, host]);
  await seedGateRepo(git, { gateRepo: gate, hostRepo: host, branch: null, push: PUSH });
  // The agent's side: a clone of the gate, two commits, pushed to its own branch.
  const work = join(dir, 'work');
  await execa('git', ['clone', '-q', gate, work], { env: ENV });
  for (const n of [1, 2]) {
    await writeFile(join(work, `agent-${n}.txt`), `${n}\n`);
    await user(work, 'add', '.');
    await user(work, 'commit', '-qm', `agent commit ${n}`);
  }
  await user(work, 'push', '-q', 'origin', 'HEAD:refs/heads/bottle/a/x');
  return { host, gate, git, work };
}

describe('fetchBack', () => {
  it('brings the agent\'s branch into the host repository as refs/remotes/bottle/<agent>/x, and moves nothing else', async () => {
    const { host, gate, git, work } = await setup();
    const before = await user(host, 'for-each-ref', '--format=%(objectname) %(refname)');
    const refs = await fetchBack(git, { gateRepo: gate, hostRepo: host, agent: 'a', push: PUSH });
    const tip = await user(work, 'rev-parse', 'HEAD');
    expect(refs).toEqual([{ ref: 'refs/heads/bottle/a/x', commit: tip, into: 'refs/remotes/bottle/a/x' }]);
    expect(await user(host, 'rev-parse', 'refs/remotes/bottle/a/x')).toBe(tip);
    const after = await user(host, 'for-each-ref', '--format=%(objectname) %(refname)');
    expect(after.split('\n').filter((l) => !l.endsWith('refs/remotes/bottle/a/x'))).toEqual(before.split('\n'));
  });

  it('fetches nothing when the agent pushed nothing', async () => {
    const { host, gate, git } = await setup();
    expect(await fetchBack(git, { gateRepo: gate, hostRepo: host, agent: 'b', push: ['refs/heads/bottle/b/*'] })).toEqual([]);
  });

  it('puts its own config back and drops alternates before reading the gate repository', async () => {
    const { host, gate, git } = await setup();
    await writeFile(join(gate, 'config'), '[core]\n\tbare = true\n[uploadpack]\n\tpackObjectsHook = touch /tmp/pwned\n');
    await mkdir(join(gate, 'objects', 'info'), { recursive: true });
    await writeFile(join(gate, 'objects', 'info', 'alternates'), `${join(host, '.git', 'objects')}\n`);
    await fetchBack(git, { gateRepo: gate, hostRepo: host, agent: 'a', push: PUSH });
    expect(await readFile(join(gate, 'config'), 'utf8')).toBe(GATE_REPO_CONFIG);
    await expect(readFile(join(gate, 'objects', 'info', 'alternates'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses to read a gate repository that holds a link, fetching nothing', async () => {
    const { host, gate, git } = await setup();
    await symlink('/etc', join(gate, 'refs', 'heads', 'bottle', 'a', 'etc'));
    await expect(fetchBack(git, { gateRepo: gate, hostRepo: host, agent: 'a', push: PUSH })).rejects.toThrow(/is a symbolic link/);
    await expect(user(host, 'rev-parse', '--verify', '-q', 'refs/remotes/bottle/a/x')).rejects.toThrow();
  });

  it('lists the commits the agent added, newest first, without the host\'s', async () => {
    const { gate, git } = await setup();
    const refs = await agentRefs(git, gate, 'a', PUSH);
    const [log] = await agentLog(git, gate, refs);
    expect(log?.lines.map((l) => l.replace(/^\w+ \S+ /, ''))).toEqual(['U: agent commit 2', 'U: agent commit 1']);
  });

  it('names a branch outside the agent\'s own prefix under the agent too', () => {
    expect(hostRefFor('a', 'refs/heads/bottle/a/fix/typo')).toBe('refs/remotes/bottle/a/fix/typo');
    expect(hostRefFor('a', 'refs/heads/agent-work')).toBe('refs/remotes/bottle/a/agent-work');
    expect(hostRefFor('a', 'refs/tags/v1')).toBe('refs/remotes/bottle/a/tags/v1');
  });
});
