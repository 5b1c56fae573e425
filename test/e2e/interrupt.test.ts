/**
 * Ctrl-C during `bottle up` on a real dockerd: nothing more starts, running
 * processes are stopped, the records say cancelled, and bottle exits 130
 * within 2 seconds; a second Ctrl-C exits at once.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { BOTTLE, bottle, REPO } from '../helpers/cli.js';

let work: string;
const env = () => ({ ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: join(work, 'state') });

afterAll(async () => {
  await bottle(['down', '-f', join(work, 'bottle.yaml'), '--purge'], env());
  await rm(work, { recursive: true, force: true });
}, 120_000);

/** Starts `bottle up --progress json` and resolves once a bottle task has started. */
async function upUntilStarted(task: string) {
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
        if (e.type === 'node-start' && e.task === task) resolve();
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
});
