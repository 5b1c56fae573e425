/**
 * `bottle ls`, `bottle stop` and `bottle start` end to end on a real dockerd,
 * through the built CLI: two manifests in two directories share one state
 * root, one agent each. `ls` lists both wherever it runs; a stop keeps the
 * containers (not running) and leaves the other bottle alone; a start, or
 * an up after a stop, brings back the same containers; a bottle whose agent
 * container was removed by hand is orphaned.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bottle, type CliRun } from '../helpers/cli.js';
import { dockerOut } from '../helpers/docker.js';

interface Plan {
  agent: string;
  slug: string;
  manifest: string;
  machine: string;
  bundle: string;
}

let work: string;
let env: Record<string, string>;
const manifests: Record<'alpha' | 'beta', string> = { alpha: '', beta: '' };
const ups: CliRun[] = [];
const plans: Record<string, Plan> = {};

async function inspect(container: string): Promise<{ id: string; status: string } | null> {
  const r = await dockerOut(['inspect', '-f', '{{.Id}} {{.State.Status}}', container]);
  if (r.exitCode !== 0) return null;
  const [id, status] = r.stdout.trim().split(' ');
  return { id: id!, status: status! };
}

async function ids(plan: Plan): Promise<string[]> {
  return [(await inspect(plan.machine))?.id ?? 'missing', (await inspect(plan.bundle))?.id ?? 'missing'];
}

/** `bottle ls --json`, run from the work dir (no manifest there: ls needs none). */
async function lsJson(): Promise<Map<string, { agent: string; manifest: string | null; backend: string; state: string; createdAt: string | null; machines: unknown }>> {
  const run = await bottle(['ls', '--json'], env, work);
  expect(run.exitCode, run.stderr).toBe(0);
  const doc = JSON.parse(run.stdout);
  expect(doc).toMatchObject({ v: 1, problems: [] });
  return new Map(doc.bottles.map((b: { slug: string }) => [b.slug, b]));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bottle-ls-'));
  env = { ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: join(work, 'state') };
  for (const [agent, dir] of [['alpha', 'one'], ['beta', 'two']] as const) {
    await mkdir(join(work, dir));
    manifests[agent] = join(work, dir, 'bottle.yaml');
    await writeFile(manifests[agent], `bottles:\n  dev:\n    backend: docker\nagents:\n  ${agent}:\n    bottle: dev\n    prompt: ""\n`);
  }
  ups.push(...(await Promise.all((['alpha', 'beta'] as const).map((agent) => bottle(['up', '-f', manifests[agent], '--progress', 'json'], env)))));
  for (const [i, agent] of (['alpha', 'beta'] as const).entries()) {
    const slug = ups[i]!.events.find((e) => e.type === 'run-start')?.bottles.find((b: string) => b.startsWith(`${agent}-`));
    if (!slug) continue;
    const plan: Plan = JSON.parse(await readFile(join(work, 'state', slug, 'plan.json'), 'utf8'));
    plans[plan.agent] = plan;
  }
}, 900_000);

afterAll(async () => {
  if (!work) return;
  for (const agent of ['alpha', 'beta'] as const) await bottle(['down', '-f', manifests[agent], '--purge'], env);
  await rm(work, { recursive: true, force: true });
}, 300_000);

describe('bottle ls, stop and start on Docker', () => {
  it('brings both bottles up', () => {
    for (const run of ups) expect(run.exitCode, run.stderr).toBe(0);
    expect(Object.keys(plans).sort()).toEqual(['alpha', 'beta']);
  });

  it('lists both bottles, from any directory, with their manifests, backend docker, state up and their age', async () => {
    const listed = await lsJson();
    expect([...listed.keys()].sort()).toEqual([plans.alpha!.slug, plans.beta!.slug].sort());
    for (const agent of ['alpha', 'beta'] as const) {
      const b = listed.get(plans[agent]!.slug)!;
      expect(b).toMatchObject({ agent, manifest: manifests[agent], backend: 'docker', state: 'up', machines: { agent: 'running', bundle: 'running' } });
      expect(Date.now() - Date.parse(b.createdAt!)).toBeLessThan(30 * 60_000);
    }
    // Piped: 80 columns, so a long manifest path may be cut.
    const text = await bottle(['ls'], env, work);
    expect(text.exitCode, text.stderr).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^AGENT +STATE +BACKEND +CREATED +MANIFEST/);
    for (const agent of ['alpha', 'beta']) {
      expect(lines.find((l) => l.startsWith(`${agent} `))).toMatch(new RegExp(`^${agent} +up +docker +(\\d+ \\w+|About an? \\w+|Less than a second) ago +${work}/`));
    }
    expect(lines.at(-1)).toBe('2 bottles: 2 up');
  });

  it('stops one bottle, keeping its containers, not running; the other stays up', async () => {
    const before = await ids(plans.alpha!);
    const stop = await bottle(['stop', '-f', manifests.alpha, '--progress', 'json'], env);
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.events.at(-1)).toMatchObject({ type: 'run-end', status: 'ok' });
    for (const name of [plans.alpha!.machine, plans.alpha!.bundle]) expect((await inspect(name))?.status).toBe('exited');
    expect(await ids(plans.alpha!)).toEqual(before);
    const listed = await lsJson();
    expect(listed.get(plans.alpha!.slug)).toMatchObject({ state: 'stopped', machines: { agent: 'stopped', bundle: 'stopped' } });
    expect(listed.get(plans.beta!.slug)?.state).toBe('up');
    for (const name of [plans.beta!.machine, plans.beta!.bundle]) expect((await inspect(name))?.status).toBe('running');
    const status = await bottle(['status', '-f', manifests.alpha, '--json'], env);
    expect(JSON.parse(status.stdout).bottles[0].state).toBe('stopped');
  });

  it('starts it again: the same containers, running, and its bundle answering', async () => {
    const before = await ids(plans.alpha!);
    const start = await bottle(['start', 'alpha', '-f', manifests.alpha, '--progress', 'json'], env);
    expect(start.exitCode, start.stderr).toBe(0);
    expect(start.events.filter((e) => e.type === 'node-end').map((e) => [e.task, e.status])).toEqual([
      ['start-bundle', 'done'],
      ['start-machine', 'done'],
      ['clear-stopped', 'done'],
    ]);
    expect(await ids(plans.alpha!)).toEqual(before);
    expect((await lsJson()).get(plans.alpha!.slug)?.state).toBe('up');
    const status = await bottle(['status', '-f', manifests.alpha, '--json'], env);
    expect(JSON.parse(status.stdout).bottles[0].state).toBe('ready');
  });

  it('brings a stopped bottle back with up: ready, the same containers', async () => {
    const before = await ids(plans.alpha!);
    expect((await bottle(['stop', '-f', manifests.alpha], env)).exitCode).toBe(0);
    expect((await lsJson()).get(plans.alpha!.slug)?.state).toBe('stopped');
    const up = await bottle(['up', '-f', manifests.alpha, '--progress', 'json'], env);
    expect(up.exitCode, up.stderr).toBe(0);
    const ends = new Map(up.events.filter((e) => e.type === 'node-end').map((e) => [e.task, e.status]));
    expect(ends.get('daemons')).toBe('done');
    expect(ends.get('start-vm')).toBe('done');
    expect(ends.get('ready')).toBe('done');
    expect(await ids(plans.alpha!)).toEqual(before);
    expect((await lsJson()).get(plans.alpha!.slug)?.state).toBe('up');
    const status = await bottle(['status', '-f', manifests.alpha, '--json'], env);
    expect(JSON.parse(status.stdout).bottles[0].state).toBe('ready');
  });

  it('says a bottle whose agent container was removed by hand is orphaned', async () => {
    expect((await dockerOut(['rm', '-f', plans.beta!.machine])).exitCode).toBe(0);
    const listed = await lsJson();
    expect(listed.get(plans.beta!.slug)).toMatchObject({ state: 'orphaned', machines: { agent: 'missing', bundle: 'running' } });
    expect(listed.get(plans.alpha!.slug)?.state).toBe('up');
    const start = await bottle(['start', '-f', manifests.beta], env);
    expect(start.exitCode).toBe(1);
    expect(start.stdout + start.stderr).toContain(`there is no container ${plans.beta!.machine} to start; run \`bottle up\` to make it anew`);
  });
});
