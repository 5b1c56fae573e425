/**
 * Ctrl-C during `bottle up` on a real dockerd: nothing more starts, running
 * processes are stopped, the records say cancelled, and bottle exits 130
 * within 2 seconds; a second Ctrl-C exits at once. SIGTERM while a command
 * runs in the guest: no process of the run is left on the host or in the
 * guest, and the next `up` finishes from the records.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { BOTTLE, bottle, endStatuses, REPO } from '../helpers/cli.js';
import { guest } from '../helpers/docker.js';

/** Host processes that inherited this test's state dir: children of a bottle run. */
async function hostProcessesOfRun(): Promise<string[]> {
  const mark = `BOTTLE_STATE_DIR=${join(work, 'state')}`;
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(mark)) found.push(`${pid}: ${(await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ')}`);
  }
  return found;
}

let work: string;
const env = () => ({ ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: join(work, 'state') });

afterAll(async () => {
  await bottle(['down', '-f', join(work, 'bottle.yaml'), '--purge'], env());
  await rm(work, { recursive: true, force: true });
}, 120_000);

/** Starts `bottle up --progress json` and resolves once a bottle task has started. */
async function upUntilStarted(task: string, when: (e: Record<string, any>) => boolean = () => true) {
  const child = execa('node', [BOTTLE, 'up', '-f', join(work, 'bottle.yaml'), '--progress', 'json'], { env: env(), cwd: REPO, reject: false, stdin: 'ignore' });
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        const e = JSON.parse(line);
        if (e.type === 'node-start' && e.task === task && when(e)) resolve();
      }
    });
    child.then(() => reject(new Error(`bottle up ended before ${task} started:\n${lines.join('\n')}`)), reject);
  });
  return { child, lines };
}

describe('Ctrl-C during bottle up', () => {
  it('cancels: exit 130 within 2 s, running tasks recorded cancelled, nothing started after', async () => {
    work = await mkdtemp(join(tmpdir(), 'bottle-int-'));
    await writeFile(join(work, 'bottle.yaml'), 'bottles: { dev: {} }\nagents: { one: { bottle: dev, prompt: hi }, two: { bottle: dev } }\n');
    const { child, lines } = await upUntilStarted('ca');
    const sent = Date.now();
    child.kill('SIGINT');
    const result = await child;
    const took = Date.now() - sent;
    expect(result.exitCode).toBe(130);
    expect(took).toBeLessThan(2000);
    const events = String(result.stdout).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(events.at(-1)).toMatchObject({ type: 'run-end', status: 'cancelled' });
    expect(events.filter((e) => e.type === 'node-end' && e.status === 'cancelled').length).toBeGreaterThan(0);
    const cancelAt = events.findIndex((e) => e.type === 'node-end' && e.status === 'cancelled');
    expect(events.slice(cancelAt).filter((e) => e.type === 'node-start')).toEqual([]);
    expect(lines.length).toBeGreaterThan(0);
    const slug = events[0].bottles.find((b: string) => b.startsWith('one-'));
    const record = JSON.parse(await readFile(join(work, 'state', slug, 'record.json'), 'utf8'));
    const statuses = Object.values(record.tasks).map((t: any) => t.status);
    expect(statuses).not.toContain('running');
    expect(statuses).toContain('cancelled');
  }, 600_000);

  it('a second Ctrl-C exits at once', async () => {
    await bottle(['down', '-f', join(work, 'bottle.yaml')], env());
    const { child } = await upUntilStarted('start-vm');
    child.kill('SIGINT');
    child.kill('SIGINT');
    const sent = Date.now();
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(Date.now() - sent).toBeLessThan(1000);
  }, 600_000);

  it('SIGTERM while a command runs in the guest leaves no process of the run on the host or in the guest; the next up finishes', async () => {
    await bottle(['down', '-f', join(work, 'bottle.yaml')], env());
    // supervise runs the real `claude mcp get` in the agent machine for about half a second.
    const { child, lines } = await upUntilStarted('supervise', (e) => e.bottle.startsWith('one-'));
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(130);
    const events = lines.map((l) => JSON.parse(l));
    const slug: string = events[0].bottles.find((b: string) => b.startsWith('one-'));
    const machine = `claude-bottle-${slug}`;
    expect(await hostProcessesOfRun()).toEqual([]);
    // The guest's command is sent TERM, then KILL after 2 s. `claude mcp get` ends within a second by itself,
    // so this is a check of the whole path; test/docker/exec.test.ts proves the stop on a command that would not end.
    let left: string[] = [];
    for (let i = 0; i < 20; i++) {
      const listing = await guest(machine, ['sh', '-c', 'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < $f; echo; done'], 'root');
      left = listing.stdout.split('\n').filter((l) => l.includes('claude'));
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(left).toEqual([]);
    const record = JSON.parse(await readFile(join(work, 'state', slug, 'record.json'), 'utf8'));
    expect(record.tasks.supervise.status).toBe('cancelled');

    const again = await bottle(['up', '-f', join(work, 'bottle.yaml'), '--progress', 'json'], env());
    expect(again.exitCode, again.stderr).toBe(0);
    const statuses = endStatuses(again.events);
    expect(statuses.get(`${slug}/start-vm`)).toBe('up-to-date');
    expect(statuses.get(`${slug}/supervise`)).toBe('done');
  }, 600_000);
});
