/**
 * The seed's seven cases (seed/test_smolmachines_provision.txt), ported: the
 * real prompt and skills tasks, run by the engine as `bottle task` runs them,
 * on the smolvm backend whose runner is a fake smolvm binary — the only fake.
 * Host skills are real directories; the host tar is real.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { extract } from 'tar-stream';
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

/** The entries of an uploaded archive: name -> content ('' for directories). */
async function entriesOf(archive: Buffer): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const untar = extract();
  untar.on('entry', (header, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: unknown) => chunks.push(c as Buffer));
    body.on('end', () => {
      out.set(header.name, Buffer.concat(chunks).toString());
      next();
    });
  });
  await new Promise<void>((resolve, reject) => untar.on('finish', () => resolve()).on('error', reject).end(archive));
  return out;
}

const STAGED = /^\/tmp\/\.bot-bottle-[0-9a-f]{16}\/files\.tar$/;

describe('prompt (seed: TestProvisionPrompt)', () => {
  it('copies with smolvm machine cp into a staging dir of root\'s; the user unpacks <guest home>/.claude-bottle-prompt.txt', async () => {
    // Not straight to the guest path, as the seed did: machine cp would follow a link the guest put there.
    const ctx = await bottle({ prompt: '' });
    expect((await runTask(ctx, 'prompt')).status).toBe('done');
    const [cp] = verb('cp');
    expect(cp!.slice(3)).toEqual([expect.stringMatching(new RegExp(`^claude-bottle-${ctx.plan.slug}:${STAGED.source.slice(1)}`)), '--mode', '600', '--uid', '1000', '--gid', '1000']);
    const put = fake.guestCalls.map((c) => unwrapUser(c.argv)).find((c) => c.argv.join(' ').includes('tar -x'))!;
    expect(put.user).toBe('node');
    expect(put.argv.slice(4, 6)).toEqual(['/home/node', expect.stringMatching(STAGED)]);
    expect([...(await entriesOf(fake.uploads[0]!.content)).keys()]).toEqual(['.claude-bottle-prompt.txt']);
  });

  it('returns the guest path when the agent has a prompt', async () => {
    const ctx = await bottle({ prompt: 'You are a helpful assistant.' });
    const node = await runTask(ctx, 'prompt');
    expect(node.record.output).toEqual({ path: '/home/node/.claude-bottle-prompt.txt' });
    expect((await entriesOf(fake.uploads[0]!.content)).get('.claude-bottle-prompt.txt')).toBe('You are a helpful assistant.');
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

  it('puts every skill into <skills dir>/<skill> in one archive, each emptied first (rm -rf) by the user', async () => {
    const ctx = await bottle({ skills: ['init-prd', 'verify'] });
    expect((await runTask(ctx, 'skills')).status).toBe('done');
    expect(verb('cp')).toHaveLength(1);
    const names = [...(await entriesOf(fake.uploads[0]!.content)).keys()];
    expect(names).toEqual([
      '.claude/', '.claude/skills/',
      '.claude/skills/init-prd/', '.claude/skills/init-prd/SKILL.md', '.claude/skills/init-prd/refs/', '.claude/skills/init-prd/refs/notes.md',
      '.claude/skills/verify/', '.claude/skills/verify/SKILL.md', '.claude/skills/verify/refs/', '.claude/skills/verify/refs/notes.md',
    ]);
    const unpack = fake.guestCalls.map((c) => unwrapUser(c.argv)).find((c) => c.argv.join(' ').includes('tar -x'))!;
    expect(unpack.user).toBe('node');
    expect(unpack.argv.slice(4)).toEqual(['/home/node', expect.stringMatching(STAGED), '.claude/skills/init-prd', '.claude/skills/verify']);
  });

  it('honours BOTTLE_GUEST_SKILLS_DIR', async () => {
    const ctx = await bottle({ skills: ['init-prd'] }, { BOTTLE_GUEST_SKILLS_DIR: '/opt/claude/skills' });
    await runTask(ctx, 'skills');
    const unpack = fake.guestCalls.map((c) => unwrapUser(c.argv)).find((c) => c.argv.join(' ').includes('tar -x'))!;
    expect(unpack.argv.slice(4)).toEqual(['/opt/claude', expect.stringMatching(STAGED), 'skills/init-prd']);
    expect([...(await entriesOf(fake.uploads[0]!.content)).keys()].slice(0, 2)).toEqual(['skills/', 'skills/init-prd/']);
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
