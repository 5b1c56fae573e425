/**
 * The workspace a new machine gets, written out as the guest would unpack it
 * and then read by the real git: a clone of the gate on the plan's branch, or
 * (empty gate) an empty repository on it; origin at the gate either way.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { hostGit } from '../../lib/gate/host-git.js';
import { seedGateRepo } from '../../lib/gate/seed.js';
import type { FilesRequest } from '../../lib/backends/types.js';
import type { BottlePlan } from '../../lib/plan/types.js';
import { workspaceFiles } from '../../lib/provision/workspace.js';
import { tempDir } from '../state/temp-dir.js';

const ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'U', GIT_AUTHOR_EMAIL: 'u@x', GIT_COMMITTER_NAME: 'U', GIT_COMMITTER_EMAIL: 'u@x' };
const git = async (dir: string, ...args: string[]) => (await execa('git', ['-C', dir, ...args], { env: ENV })).stdout;

/** Unpacks a request's entries under `home`, as the guest gets them. */
async function writeOut(files: FilesRequest, home: string): Promise<void> {
  for (const e of files.entries) {
    const path = join(home, e.path);
    if ('dir' in e) await mkdir(path, { recursive: true });
    else if ('content' in e) await writeFile(path, e.content, { mode: e.mode });
  }
}

async function setup(hostRepo: string | null) {
  const dir = await tempDir();
  const gate = join(dir, 'gate', 'a.git');
  const g = await hostGit(join(dir, 'host-git.config'), [gate, ...(hostRepo ? [hostRepo] : [])]);
  const seeded = await seedGateRepo(g, { gateRepo: gate, hostRepo, branch: null, push: ['refs/heads/bottle/a/*'] });
  const plan = { stateDir: dir, guestHome: '/home/node', guestWorkspace: '/home/node/workspace', user: 'node', gitOrigin: 'http://bundle:8418/a.git' } as BottlePlan;
  const home = join(dir, 'home');
  await writeOut(await workspaceFiles(g, plan, { gateRepo: gate, ...seeded }), home);
  return join(home, 'workspace');
}

describe('workspaceFiles', () => {
  it('is a clone of the gate on the host\'s branch, origin at the gate', async () => {
    const host = join(await tempDir(), 'host');
    await execa('git', ['init', '-q', '-b', 'trunk', host]);
    await writeFile(join(host, 'README.md'), 'hello\n');
    await git(host, 'add', '.');
    await git(host, 'commit', '-qm', 'first');
    const ws = await setup(host);
    expect(await git(ws, 'branch', '--show-current')).toBe('trunk');
    expect(await git(ws, 'remote', 'get-url', 'origin')).toBe('http://bundle:8418/a.git');
    expect(await git(ws, 'status', '--porcelain')).toBe('');
    expect(await git(ws, 'log', '--format=%s')).toBe('first');
  });

  it('is an empty repository on main, origin at the gate, when there is no host repository', async () => {
    const ws = await setup(null);
    expect(await git(ws, 'branch', '--show-current')).toBe('main');
    expect(await git(ws, 'remote', 'get-url', 'origin')).toBe('http://bundle:8418/a.git');
    await writeFile(join(ws, 'new.txt'), 'x\n');
    await git(ws, 'add', '.');
    await git(ws, 'commit', '-qm', 'agent: first');
    expect(await git(ws, 'log', '--format=%s')).toBe('agent: first');
    expect(await git(ws, 'config', 'branch.main.merge')).toBe('refs/heads/main');
  });
});
