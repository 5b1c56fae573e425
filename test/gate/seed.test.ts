/**
 * The gate repository seeded from a real host repository with the real git:
 * what comes along (branches, tags, HEAD) and what never does (the host's
 * remotes, config, hooks), how it follows the host, and that the agent's
 * refs are never touched.
 */
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { hostGit, type HostGit } from '../../lib/gate/host-git.js';
import { GATE_REPO_CONFIG, seedGateRepo } from '../../lib/gate/seed.js';
import { tempDir } from '../state/temp-dir.js';

const PUSH = ['refs/heads/bottle/a/*'];

/** git as a user runs it in the host repository, with an identity and no config of this machine's. */
async function user(repo: string, ...args: string[]) {
  const env = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'U', GIT_AUTHOR_EMAIL: 'u@x', GIT_COMMITTER_NAME: 'U', GIT_COMMITTER_EMAIL: 'u@x' };
  return (await execa('git', ['-C', repo, ...args], { env })).stdout;
}

async function hostRepo(): Promise<string> {
  const repo = join(await tempDir(), 'host');
  await execa('git', ['init', '-q', '-b', 'main', repo]);
  await writeFile(join(repo, 'README.md'), 'hello\n');
  await user(repo, 'add', '.');
  await user(repo, 'commit', '-qm', 'first');
  await user(repo, 'branch', 'feature');
  await user(repo, 'tag', 'v1');
  // What must never reach the gate: a remote with a credential, a hook, a setting.
  await user(repo, 'remote', 'add', 'origin', 'https://user:secret-token@example.invalid/repo.git');
  await user(repo, 'config', 'core.sshCommand', 'evil');
  await writeFile(join(repo, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\necho hook\n');
  await chmod(join(repo, '.git', 'hooks', 'pre-commit'), 0o755);
  return repo;
}

async function setup(): Promise<{ host: string; gate: string; git: HostGit }> {
  const host = await hostRepo();
  const dir = await tempDir();
  const gate = join(dir, 'gate', 'a.git');
  return { host, gate, git: await hostGit(join(dir, 'host-git.config'), [gate, host]) };
}

const refs = async (git: HostGit, gate: string) => (await git(['--git-dir', gate, 'for-each-ref', '--format=%(refname)'])).stdout.split('\n').filter(Boolean);

describe('seedGateRepo', () => {
  it('brings every branch and tag, HEAD at the host\'s current branch, and nothing else of the host\'s', async () => {
    const { host, gate, git } = await setup();
    await user(host, 'checkout', '-q', 'feature');
    const seeded = await seedGateRepo(git, { gateRepo: gate, hostRepo: host, branch: null, push: PUSH });
    expect(seeded).toEqual({ branch: 'feature', commit: await user(host, 'rev-parse', 'HEAD'), refs: 3 });
    expect(await refs(git, gate)).toEqual(['refs/heads/feature', 'refs/heads/main', 'refs/tags/v1']);
    expect((await readFile(join(gate, 'HEAD'), 'utf8')).trim()).toBe('ref: refs/heads/feature');
    const config = await readFile(join(gate, 'config'), 'utf8');
    expect(config).toBe(GATE_REPO_CONFIG);
    expect(existsSync(join(gate, 'hooks'))).toBe(false);
    expect(readdirSync(gate).join(' ')).not.toMatch(/FETCH_HEAD/);
  });

  it('starts on git.branch when it is set, and names the branches when it is not one', async () => {
    const { host, gate, git } = await setup();
    expect((await seedGateRepo(git, { gateRepo: gate, hostRepo: host, branch: 'feature', push: PUSH })).branch).toBe('feature');
    await expect(seedGateRepo(git, { gateRepo: gate, hostRepo: host, branch: 'nope', push: PUSH })).rejects.toThrow(
      `git.branch "nope" is not a branch of ${host}; its branches are feature, main. Set git.branch to one of them, or create it there`,
    );
  });

  it('refuses a detached HEAD without git.branch, saying what to set', async () => {
    const { host, gate, git } = await setup();
    await user(host, 'checkout', '-q', '--detach');
    await expect(seedGateRepo(git, { gateRepo: gate, hostRepo: host, branch: null, push: PUSH })).rejects.toThrow(/HEAD of .* is detached .* set git\.branch/);
  });

  it('follows the host on the next seed (moved, added and deleted refs) and leaves the agent\'s refs alone', async () => {
    const { host, gate, git } = await setup();
    await seedGateRepo(git, { gateRepo: gate, hostRepo: host, branch: null, push: PUSH });
    // The agent pushed a branch of its own; the host has one of the same name, which must not win.
    const agentCommit = (await git(['--git-dir', gate, 'rev-parse', 'refs/tags/v1^{commit}'])).stdout.trim();
    await git(['--git-dir', gate, 'update-ref', 'refs/heads/bottle/a/work', agentCommit]);
    await writeFile(join(host, 'more.txt'), 'more\n');
    await user(host, 'add', '.');
    await user(host, 'commit', '-qm', 'second');
    await user(host, 'branch', 'bottle/a/work');
    await user(host, 'branch', '-D', 'feature');
    await user(host, 'tag', 'v2');
    const seeded = await seedGateRepo(git, { gateRepo: gate, hostRepo: host, branch: null, push: PUSH });
    expect(seeded.commit).toBe(await user(host, 'rev-parse', 'HEAD'));
    expect(await refs(git, gate)).toEqual(['refs/heads/bottle/a/work', 'refs/heads/main', 'refs/tags/v1', 'refs/tags/v2']);
    expect((await git(['--git-dir', gate, 'rev-parse', 'refs/heads/bottle/a/work'])).stdout.trim()).toBe(agentCommit);
  });

  it('makes an empty repository, HEAD at main, when there is no host repository', async () => {
    const { gate, git } = await setup();
    expect(await seedGateRepo(git, { gateRepo: gate, hostRepo: null, branch: null, push: PUSH })).toEqual({ branch: 'main', commit: null, refs: 0 });
    expect(await refs(git, gate)).toEqual([]);
  });

  it('writes its own config over whatever the gate repository\'s says', async () => {
    const { host, gate, git } = await setup();
    await seedGateRepo(git, { gateRepo: gate, hostRepo: host, branch: null, push: PUSH });
    await writeFile(join(gate, 'config'), '[core]\n\tbare = true\n\tfsmonitor = /tmp/evil\n');
    await seedGateRepo(git, { gateRepo: gate, hostRepo: host, branch: null, push: PUSH });
    expect(await readFile(join(gate, 'config'), 'utf8')).toBe(GATE_REPO_CONFIG);
  });

  it('runs no hook the gate repository holds (the bundle could have put one there)', async () => {
    const { host, gate, git } = await setup();
    await seedGateRepo(git, { gateRepo: gate, hostRepo: host, branch: null, push: PUSH });
    const marker = join(gate, '..', 'hook-ran');
    await mkdir(join(gate, 'hooks'), { recursive: true });
    for (const hook of ['reference-transaction', 'post-update', 'pre-auto-gc']) {
      await writeFile(join(gate, 'hooks', hook), `#!/bin/sh\ntouch ${marker}\n`);
      await chmod(join(gate, 'hooks', hook), 0o755);
    }
    await user(host, 'commit', '-q', '--allow-empty', '-m', 'moves main');
    await seedGateRepo(git, { gateRepo: gate, hostRepo: host, branch: null, push: PUSH });
    expect(existsSync(marker)).toBe(false);
  });

  it('leaves a gate repository holding a link untouched, and what it points at too', async () => {
    const { host, gate, git } = await setup();
    await seedGateRepo(git, { gateRepo: gate, hostRepo: host, branch: null, push: PUSH });
    const victim = join(gate, '..', 'victim.txt');
    await writeFile(victim, 'precious\n');
    await rm(join(gate, 'config'));
    await symlink(victim, join(gate, 'config'));
    await expect(seedGateRepo(git, { gateRepo: gate, hostRepo: host, branch: null, push: PUSH })).rejects.toThrow(/config is a symbolic link; it is left untouched/);
    expect(await readFile(victim, 'utf8')).toBe('precious\n');
  });
});
