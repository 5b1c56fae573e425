/**
 * The seed's seven cases (seed/test_smolmachines_provision.txt), ported: the
 * real prompt and skills tasks, run by the engine as `bottle task` runs them,
 * on the smolvm backend whose runner is a fake smolvm binary — the only fake.
 * Host skills are real directories; the host tar is real.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { unwrapUser } from '../../lib/backends/smolvm/guest.js';
import { skills } from '../../tasks/skills.js';
import type { NodeResult } from '../../lib/engine/index.js';
import type { BottleCtx } from '../../tasks/context.js';
import { fakeSmolvm, type FakeSmolvm } from '../backends/smolvm/fake-smolvm.js';
import { smolvmBottle, taskRunner } from './smolvm-bottle.js';

let work: string;
let fake: FakeSmolvm;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'smolvm-provision-'));
  for (const skill of ['init-prd', 'verify']) {
    await mkdir(join(work, 'skills', skill, 'refs'), { recursive: true });
    await writeFile(join(work, 'skills', skill, 'SKILL.md'), `# ${skill}\n`);
    await writeFile(join(work, 'skills', skill, 'refs', 'notes.md'), 'notes\n');
  }
  fake = fakeSmolvm();
});

async function bottle(agent: { prompt?: string; skills?: string[] }, env: NodeJS.ProcessEnv = {}): Promise<BottleCtx> {
  const ctx = await smolvmBottle(work, fake, agent, env);
  fake.add(ctx.plan.machine);
  return ctx;
}

/**
 * `bottle task prepare demo`, then `bottle task <task> demo`: the real prepare
 * (state dir, skills found on the host, CA), the machine as start-vm records
 * it, then the task alone.
 */
async function runTask(ctx: BottleCtx, task: 'prepare' | 'prompt' | 'skills'): Promise<NodeResult> {
  const tasks = taskRunner(ctx);
  const prepared = await tasks.run('prepare');
  if (task === 'prepare' || prepared.status !== 'done') return prepared;
  await tasks.record('start-vm', { machine: ctx.plan.machine, id: 'm1', image: 'img' });
  return tasks.run(task);
}

const verb = (v: string) => fake.calls.filter((c) => c[1] === v);
/** What ran in the guest, setpriv unwrapped. */
const guest = () => fake.guestCalls.map((c) => unwrapUser(c.argv).argv.join(' '));

describe('prompt (seed: TestProvisionPrompt)', () => {
  it('copies with smolvm machine cp <host prompt> into a staging dir of root\'s; the user puts it at <guest home>/.claude-bottle-prompt.txt', async () => {
    // Not straight to the guest path, as the seed did: machine cp would follow a link the guest put there.
    const ctx = await bottle({ prompt: '' });
    expect((await runTask(ctx, 'prompt')).status).toBe('done');
    const staged = /^\/tmp\/\.bot-bottle-[0-9a-f]{16}\/prompt\.txt$/;
    expect(verb('cp')).toEqual([
      ['machine', 'cp', ctx.plan.promptFile, expect.stringMatching(new RegExp(`^claude-bottle-${ctx.plan.slug}:${staged.source.slice(1)}`)), '--mode', '600', '--uid', '1000', '--gid', '1000'],
    ]);
    const put = fake.guestCalls.map((c) => unwrapUser(c.argv)).find((c) => c.argv.includes('/home/node/.claude-bottle-prompt.txt'))!;
    expect(put.user).toBe('node');
    expect(put.argv.at(-1)).toMatch(staged);
  });

  it('returns the guest path when the agent has a prompt', async () => {
    const ctx = await bottle({ prompt: 'You are a helpful assistant.' });
    const node = await runTask(ctx, 'prompt');
    expect(node.record.output).toEqual({ path: '/home/node/.claude-bottle-prompt.txt' });
    expect(fake.uploads.map((u) => u.content.toString())).toEqual(['You are a helpful assistant.']);
  });

  it('returns null when the agent has no prompt, and still copies the file', async () => {
    const ctx = await bottle({ prompt: '' });
    const node = await runTask(ctx, 'prompt');
    expect(node.record.output).toEqual({ path: null });
    expect(verb('cp')).toHaveLength(1);
  });
});

describe('skills (seed: TestProvisionSkills)', () => {
  it('does nothing in the guest when the agent has no skills', async () => {
    const ctx = await bottle({ skills: [] });
    expect((await runTask(ctx, 'skills')).status).toBe('done');
    expect(verb('cp')).toHaveLength(0);
    expect(verb('exec')).toHaveLength(0);
  });

  it('makes the skills dir once, removes and copies each skill into <skills dir>/<skill>', async () => {
    const ctx = await bottle({ skills: ['init-prd', 'verify'] });
    expect((await runTask(ctx, 'skills')).status).toBe('done');
    const dir = '/home/node/.claude/skills';
    expect(guest().filter((c) => c.startsWith('mkdir -p'))).toEqual([`mkdir -p ${dir}`]);
    expect(guest().filter((c) => c.startsWith(`rm -rf ${dir}`))).toEqual([`rm -rf ${dir}/init-prd`, `rm -rf ${dir}/verify`]);
    // One copy per skill: its tree as one archive, staged, unpacked in the skills dir, so it lands in <dir>/<skill>.
    const staged = fake.uploads.map((u) => u.path);
    expect(staged).toEqual([expect.stringMatching(/^\/tmp\/\.bot-bottle-[0-9a-f]{16}\/init-prd\.tar$/), expect.stringMatching(/\/verify\.tar$/)]);
    const stage = staged.map((p) => p.replace(/\/[^/]+$/, ''));
    for (const [i, skill] of ['init-prd', 'verify'].entries()) {
      const archive = join(work, `${skill}.tar`);
      await writeFile(archive, fake.uploads[i]!.content);
      expect(execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).split('\n').filter(Boolean).sort()).toEqual(
        [`${skill}/`, `${skill}/SKILL.md`, `${skill}/refs/`, `${skill}/refs/notes.md`],
      );
    }
    const unpack = (i: number) => [`id node`, `mkdir -m 711 ${stage[i]}`, `tar -x --no-same-owner -f ${staged[i]} -C ${dir}`, `rm -rf ${stage[i]}`];
    expect(guest()).toEqual([`mkdir -p ${dir}`, `rm -rf ${dir}/init-prd`, ...unpack(0), `rm -rf ${dir}/verify`, ...unpack(1)]);
    // All as the agent's user but the staging (root's directory in /tmp).
    const asRoot = [null, null, 'node', null];
    expect(fake.guestCalls.map((c) => unwrapUser(c.argv).user)).toEqual(['node', 'node', ...asRoot, 'node', ...asRoot]);
  });

  it('honours BOTTLE_GUEST_SKILLS_DIR', async () => {
    const ctx = await bottle({ skills: ['init-prd'] }, { BOTTLE_GUEST_SKILLS_DIR: '/opt/claude/skills' });
    await runTask(ctx, 'skills');
    expect(guest()).toContain('mkdir -p /opt/claude/skills');
    expect(guest()).toContainEqual(expect.stringMatching(/^tar -x --no-same-owner -f \/tmp\/\.bot-bottle-[0-9a-f]{16}\/init-prd\.tar -C \/opt\/claude\/skills$/));
  });

  it('fails on a missing skill, naming it and where it was looked for, before touching the guest', async () => {
    const ctx = await bottle({ skills: ['init-prd', 'ghost'] });
    const message =
      `skill "ghost" not found; looked in ${join(work, 'skills', 'ghost')}, ${join(work, 'home', '.claude', 'skills', 'ghost')}; ` +
      "create it there or remove it from the agent's skills";
    // prepare finds skills on the host, before any machine starts; the skills task's inputs need them too.
    const node = await runTask(ctx, 'prepare');
    expect(node.status).toBe('failed');
    expect(node.record.error?.message).toBe(message);
    await expect(skills.fingerprint!(ctx as never)).rejects.toThrow(message);
    expect(verb('cp')).toHaveLength(0);
    expect(verb('exec')).toHaveLength(0);
  });
});
