/**
 * `bottle doctor` end to end on a real dockerd, through the built CLI: one
 * bottle brought up, then each problem made the way a user or a crash makes
 * it, found, and fixed with `--fix`. Every run but one stays in this test's
 * state root (`--this-root-only`): the dockerd is shared, and what other
 * roots left is not this test's to remove.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bottle, type CliRun } from '../helpers/cli.js';
import { dockerOut, labelled } from '../helpers/docker.js';

let work: string;
let root: string;
let env: Record<string, string>;
let up: CliRun;
let plan: { slug: string; machine: string; bundle: string; stateDir: string; network: { name: string } };
const strayNetwork = `claude-bottle-doctor-test-${process.pid}`;

const manifest = () => join(work, 'bottle.yaml');
const doctor = (...args: string[]) => bottle(['doctor', '--this-root-only', ...args], env);

async function doctorJson(...args: string[]) {
  const run = await doctor('--json', ...args);
  return { exitCode: run.exitCode, stderr: run.stderr, doc: JSON.parse(run.stdout) };
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await once(child, 'exit');
  return child.pid!;
}

async function labelsOf(kind: 'container' | 'network', name: string): Promise<Record<string, string>> {
  const r = await dockerOut([kind, 'inspect', '-f', kind === 'container' ? '{{json .Config.Labels}}' : '{{json .Labels}}', name]);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

async function stateOf(container: string): Promise<string> {
  const r = await dockerOut(['inspect', '-f', '{{.State.Status}}', container]);
  return r.exitCode === 0 ? r.stdout.trim() : 'missing';
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bottle-doctor-'));
  root = join(work, 'state');
  await writeFile(manifest(), 'bottles:\n  dev:\n    backend: docker\nagents:\n  solo:\n    bottle: dev\n    prompt: ""\n');
  env = { ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: root };
  up = await bottle(['up', '-f', manifest(), '--progress', 'json'], env);
  const slug = up.events[0]!.bottles.find((b: string) => b.startsWith('solo-'));
  plan = JSON.parse(await readFile(join(root, slug, 'plan.json'), 'utf8'));
}, 900_000);

afterAll(async () => {
  await dockerOut(['network', 'rm', strayNetwork]);
  if (!work) return;
  await bottle(['down', '-f', manifest(), '--purge'], env);
  // The orphan test moved the state away: whatever doctor left, by label.
  for (const name of await labelled('container', `bot-bottle.slug=${plan?.slug}`)) await dockerOut(['rm', '-f', name]);
  for (const name of await labelled('network', `bot-bottle.slug=${plan?.slug}`)) await dockerOut(['network', 'rm', name]);
  await rm(work, { recursive: true, force: true });
}, 300_000);

describe('bottle doctor on Docker', () => {
  it('labels every container and network of the bottle with its slug and its state root', () => {
    expect(up.exitCode, up.stderr).toBe(0);
    return Promise.all(
      [['container', plan.machine], ['container', plan.bundle], ['network', plan.network.name]].map(async ([kind, name]) => {
        expect(await labelsOf(kind as 'container' | 'network', name!)).toMatchObject({ 'bot-bottle.slug': plan.slug, 'bot-bottle.agent': 'solo', 'bot-bottle.state-root': root });
      }),
    );
  });

  it('finds nothing in a clean state root, and exits 0', async () => {
    const text = await doctor();
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toBe(`nothing found: no orphans, stale records, stale locks or temp files (state: ${root})`);
    const { exitCode, doc } = await doctorJson();
    expect(exitCode).toBe(0);
    expect(doc).toEqual({ v: 1, findings: [], fixed: [], failed: [], problems: [] });
  });

  it('finds a lock whose process is gone and a temp file a killed write left, and --fix deletes them', async () => {
    const lock = join(plan.stateDir, 'lock');
    const pid = await deadPid();
    await writeFile(lock, `${JSON.stringify({ pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z', owner: 'bottle up' })}\n`);
    const temp = join(plan.stateDir, '.x.abc.tmp');
    await writeFile(temp, 'half a record');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(temp, hourAgo, hourAgo);

    const found = await doctorJson();
    expect(found.exitCode).toBe(1);
    expect(found.doc.findings).toEqual([
      { kind: 'stale-lock', subject: lock, detail: `taken by pid ${pid} (bottle up) at 2026-01-01T00:00:00.000Z, which no longer runs`, fix: 'delete the lock file' },
      { kind: 'temp-file', subject: temp, detail: expect.stringContaining('the temp file of an atomic write'), fix: 'delete the file' },
    ]);
    expect(existsSync(lock) && existsSync(temp)).toBe(true);

    const fixed = await doctorJson('--fix');
    expect(fixed.exitCode, fixed.stderr).toBe(0);
    expect(fixed.doc.fixed.map((f: any) => f.kind)).toEqual(['stale-lock', 'temp-file']);
    expect(existsSync(lock) || existsSync(temp)).toBe(false);
  });

  it('finds a bottle whose agent machine was removed behind its back, and --fix brings it back', async () => {
    expect((await dockerOut(['rm', '-f', plan.machine])).exitCode).toBe(0);
    const text = await doctor();
    expect(text.exitCode).toBe(1);
    expect(text.stdout.split('\n')[0]).toBe(
      `stale-record: bottle ${plan.slug}: the record of agent solo (${manifest()}) says its machines were made, but docker has no ${plan.machine}; ` +
        `--fix: bring the bottle up again from ${manifest()} (the up graph, as \`bottle up\` runs it)`,
    );

    const fixed = await doctorJson('--fix');
    expect(fixed.exitCode, JSON.stringify(fixed.doc)).toBe(0);
    expect(fixed.doc.fixed).toEqual([expect.objectContaining({ kind: 'stale-record', subject: `bottle ${plan.slug}` })]);
    expect(await stateOf(plan.machine)).toBe('running');
    expect((await labelsOf('container', plan.machine))['bot-bottle.state-root']).toBe(root);
    const status = await bottle(['status', '-f', manifest(), '--json', '--probe'], env);
    expect(JSON.parse(status.stdout).bottles[0]).toMatchObject({ state: 'ready', machines: { agent: 'running', bundle: 'running' } });
    expect((await doctorJson()).doc.findings).toEqual([]);
  }, 600_000);

  it('finds the containers and network of a bottle whose state dir is gone, and --fix removes them', async () => {
    await rename(plan.stateDir, join(work, 'moved-away'));
    const found = await doctorJson();
    expect(found.exitCode).toBe(1);
    expect(found.doc.findings.map((f: any) => [f.kind, f.subject, f.fix])).toEqual([
      ['orphan', `container ${plan.machine}`, 'remove the container'],
      ['orphan', `container ${plan.bundle}`, 'remove the container'],
      ['orphan', `network ${plan.network.name}`, 'remove the network'],
    ]);
    expect(found.doc.findings[0].detail).toBe(`a docker container of bottle ${plan.slug}, labelled for this state root, which holds no plan or record of that bottle`);

    const fixed = await doctorJson('--fix');
    expect(fixed.exitCode, JSON.stringify(fixed.doc)).toBe(0);
    expect(fixed.doc.fixed).toHaveLength(3);
    expect(await labelled('container', `bot-bottle.slug=${plan.slug}`)).toEqual([]);
    expect(await labelled('network', `bot-bottle.slug=${plan.slug}`)).toEqual([]);
    expect((await doctorJson()).doc).toEqual({ v: 1, findings: [], fixed: [], failed: [], problems: [] });
  }, 300_000);

  it('reports an object of a state root that no longer exists, unless kept to this root', async () => {
    const made = await dockerOut([
      'network', 'create', '--internal',
      '--label', 'bot-bottle.slug=doctor-test-00000',
      '--label', `bot-bottle.state-root=${join(work, 'a-root-since-deleted')}`,
      strayNetwork,
    ]);
    expect(made.exitCode, made.stderr).toBe(0);
    const all = await bottle(['doctor', '--json'], env);
    expect(JSON.parse(all.stdout).findings).toContainEqual({
      kind: 'gone-root',
      subject: `network ${strayNetwork}`,
      detail: `a docker network of bottle doctor-test-00000, labelled for the state root ${join(work, 'a-root-since-deleted')}, which no longer exists`,
      fix: 'remove the network',
    });
    expect(all.exitCode).toBe(1);
    expect((await doctorJson()).doc.findings).toEqual([]);
  });
});
