/**
 * `bottle up` on a real dockerd that fails the way a busy or restarting one
 * does: the built CLI pointed, with DOCKER_HOST, at the fault proxy
 * (test/helpers/docker-fault-proxy.ts), every bottle a real one. With 30% of
 * calls failing, ten bottles come up and go down; an image that does not
 * exist fails its bottle's start at once, blocks what needs it, and the
 * other bottle comes up; with the engine gone for 5 s in the middle of a
 * run, the run waits or fails cleanly, and the next run converges with
 * nothing made twice. What each run met is printed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOTTLE, bottle, endStatuses, REPO, type CliRun } from '../helpers/cli.js';
import { dockerOut } from '../helpers/docker.js';
import { startFaultProxy, type FaultProxy } from '../helpers/docker-fault-proxy.js';
import { machineName } from '../../lib/plan/slug.js';

const MISSING_IMAGE = 'bot-bottle/does-not-exist:1';
const AFTER_START_VM = ['prompt', 'skills', 'ca', 'git', 'supervise', 'ready'];

const manifest = `
bottles:
  dev:
    backend: docker
  ghost:
    backend: docker
    image: ${MISSING_IMAGE}
agents:
  many: { bottle: dev, prompt: "" }
  good: { bottle: dev, prompt: "" }
  bad: { bottle: ghost, prompt: "" }
  restart: { bottle: dev, prompt: "" }
`;

let work: string;
let proxy: FaultProxy;
let env: Record<string, string>;

/** `bottle <args> -f <manifest>` through the proxy, NDJSON parsed. */
const run = (args: string[]) => bottle([...args, '-f', join(work, 'bottle.yaml'), '--progress', 'json'], env);

const slugsOf = (r: CliRun, agent: string): string[] => r.events[0]!.bottles.filter((b: string) => b.startsWith(`${agent}-`));

/** Our objects in Docker, asked directly (not through the proxy): names per slug. */
async function objectsOf(slug: string): Promise<{ containers: string[]; networks: string[] }> {
  const filter = ['--filter', `label=bot-bottle.slug=${slug}`];
  const containers = await dockerOut(['ps', '-a', '--format', '{{.Names}}', ...filter]);
  const networks = await dockerOut(['network', 'ls', '--format', '{{.Name}}', ...filter]);
  const names = (out: string) => out.split('\n').filter(Boolean).sort();
  return { containers: names(containers.stdout), networks: names(networks.stdout) };
}

function failuresOf(r: CliRun) {
  return r.events.filter((e) => e.type === 'node-end' && e.status === 'failed').map((e) => ({ node: `${e.bottle}/${e.task}`, error: String(e.error) }));
}

function report(label: string, r: CliRun, ms: number, since: ReturnType<FaultProxy['counts']>) {
  const now = proxy.counts();
  const injected = Object.fromEntries(Object.entries(now.injected).map(([k, v]) => [k, v - since.injected[k as keyof typeof since.injected]]));
  const total = Object.values(injected).reduce((a, b) => a + b, 0);
  const retried = r.events.filter((e) => e.type === 'node-retry');
  const retries = retried.length === 0 ? '0' : `${retried.length} (${retried.map((e) => `${e.bottle}/${e.task}: ${e.error}`).join('; ')})`;
  console.log(`${label}: exit ${r.exitCode} in ${(ms / 1000).toFixed(1)} s; ${total} faults injected in ${now.requests - since.requests} requests ${JSON.stringify(injected)}; ${now.tunnelled - since.tunnelled} tunnelled; ${now.cut - since.cut} connections cut; ${retries} task retries`);
  return total;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bottle-faults-'));
  await writeFile(join(work, 'bottle.yaml'), manifest);
  proxy = await startFaultProxy({ seed: 20260829 });
  env = { ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: join(work, 'state'), DOCKER_HOST: proxy.dockerHost };
});

afterAll(async () => {
  if (work) {
    // Straight to dockerd: cleaning up is not under test.
    await bottle(['down', '-f', join(work, 'bottle.yaml'), '--purge'], { ...env, DOCKER_HOST: 'unix:///var/run/docker.sock' });
    await rm(work, { recursive: true, force: true });
  }
  await proxy?.close();
}, 120_000);

describe('Docker failing', () => {
  it('with 30% of calls failing, ten bottles all come up through retries, and down removes them all', async () => {
    proxy.setRate(0.3);
    let since = proxy.counts();
    let started = Date.now();
    const up = await run(['up', 'many', '-n', '10']);
    const upFaults = report('up -n 10 at 30%', up, Date.now() - started, since);
    expect(up.exitCode, JSON.stringify(failuresOf(up), null, 2)).toBe(0);
    expect(up.events.at(-1)).toMatchObject({ type: 'run-end', status: 'ok' });
    const slugs = slugsOf(up, 'many');
    expect(slugs).toHaveLength(10);
    const statuses = endStatuses(up.events);
    for (const slug of slugs) expect(statuses.get(`${slug}/ready`), slug).toBe('done');
    expect(upFaults).toBeGreaterThan(0);

    since = proxy.counts();
    started = Date.now();
    const down = await run(['down', 'many']);
    report('down of 10 at 30%', down, Date.now() - started, since);
    expect(down.exitCode, JSON.stringify(failuresOf(down), null, 2)).toBe(0);
    for (const slug of slugs) expect(await objectsOf(slug), slug).toEqual({ containers: [], networks: [] });
  }, 150_000);

  it('an image that does not exist fails its start at once, blocks what needs it, and the other bottle comes up', async () => {
    proxy.setRate(0.3);
    const since = proxy.counts();
    const started = Date.now();
    const up = await run(['up', 'good', 'bad']);
    report('up good + bad at 30%', up, Date.now() - started, since);
    expect(up.exitCode).toBe(1);
    const [good] = slugsOf(up, 'good');
    const [bad] = slugsOf(up, 'bad');
    const statuses = endStatuses(up.events);
    expect(statuses.get(`${good}/ready`)).toBe('done');

    const end = up.events.find((e) => e.type === 'node-end' && e.bottle === bad && e.task === 'start-vm');
    expect(end).toMatchObject({ status: 'failed', attempts: 1 });
    expect(end!.error).toContain(`the image ${MISSING_IMAGE} of ${machineName(bad!)} is not in this Docker`);
    expect(up.events.filter((e) => e.type === 'node-retry' && e.bottle === bad && e.task === 'start-vm')).toEqual([]);
    for (const task of AFTER_START_VM) expect(statuses.get(`${bad}/${task}`), task).toBe('blocked');
    expect(failuresOf(up).map((f) => f.node)).toEqual([`${bad}/start-vm`]);
    expect(up.events.at(-1)).toMatchObject({ type: 'run-end', status: 'failed', counts: { failed: 1, blocked: AFTER_START_VM.length } });
  }, 90_000);

  it('with the engine gone for 5 s mid-run, the run waits or fails cleanly, and the next run converges with nothing doubled', async () => {
    proxy.setRate(0);
    const since = proxy.counts();
    const started = Date.now();
    const child = execa('node', [BOTTLE, 'up', 'restart', '-n', '3', '-f', join(work, 'bottle.yaml'), '--progress', 'json'], { env, cwd: REPO, reject: false, stdin: 'ignore', timeout: 100_000 });
    let wentDown: Promise<void> | undefined;
    let partial = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      // In the middle: as the first agent machine is being made.
      const starting = lines.some((l) => /"type":"node-start"/.test(l) && /"task":"start-vm"/.test(l));
      if (starting && !wentDown) wentDown = proxy.goDown(5_000);
    });
    const done = await child;
    const first: CliRun = { exitCode: done.exitCode ?? -1, stdout: String(done.stdout), stderr: String(done.stderr), events: String(done.stdout).split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
    await wentDown;
    report('up -n 3, engine gone 5 s', first, Date.now() - started, since);
    expect(wentDown, 'the engine went down during the run').toBeDefined();
    expect(done.timedOut, 'the run ended by itself').toBe(false);
    const end = first.events.at(-1)!;
    if (first.exitCode === 0) {
      expect(end).toMatchObject({ type: 'run-end', status: 'ok' });
    } else {
      // Failed cleanly: exit 1, the run says failed, and each failed task is named with why.
      expect(first.exitCode, first.stderr).toBe(1);
      expect(end).toMatchObject({ type: 'run-end', status: 'failed' });
      const failed = failuresOf(first);
      expect(failed.length).toBeGreaterThan(0);
      for (const f of failed) expect(f.error, f.node).toMatch(/\S/);
      console.log(`failed cleanly: ${failed.map((f) => `${f.node}: ${f.error}`).join('; ')}`);
    }

    const again = await run(['up', 'restart', '-n', '3']);
    expect(again.exitCode, JSON.stringify(failuresOf(again), null, 2)).toBe(0);
    const slugs = slugsOf(again, 'restart');
    expect(slugs).toHaveLength(3);
    const statuses = endStatuses(again.events);
    for (const slug of slugs) {
      expect(statuses.get(`${slug}/ready`), slug).toMatch(/^(done|up-to-date)$/);
      const held = await objectsOf(slug);
      expect(held.containers, slug).toHaveLength(2);
      expect(held.networks, slug).toHaveLength(1);
    }
  }, 150_000);
});
