/**
 * `bottle status` says "stopped" for a bottle `bottle stop` stopped since its
 * last run (its mark in the state dir), from the state alone; a run after
 * the stop (`bottle up`) outdates the mark.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ItemRecord } from '../../lib/engine/index.js';
import { main } from '../../cli/main.js';
import { markStopped } from '../../lib/state/stop-mark.js';

const TASKS = ['prepare', 'network', 'daemons', 'start-vm', 'prompt', 'skills', 'ca', 'git', 'supervise', 'ready'];
const SLUG = 'reviewer-ab12c';

let dir: string;
let manifest: string;
let root: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bottle-status-'));
  manifest = join(dir, 'bottle.yaml');
  root = join(dir, 'state');
  await writeFile(manifest, 'bottles: { dev: {} }\nagents: { reviewer: { bottle: dev } }\n');
  await mkdir(join(root, SLUG), { recursive: true });
  const plan = { manifest, agent: 'reviewer', definition: 'reviewer', bottle: 'dev', slug: SLUG, backend: 'docker', machine: `claude-bottle-${SLUG}`, bundle: `claude-bottle-${SLUG}-bundle`, stateDir: join(root, SLUG) };
  await writeFile(join(root, SLUG, 'plan.json'), JSON.stringify(plan));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function ranAt(startedAt: string): Promise<void> {
  const record: ItemRecord = { v: 1, item: SLUG, tasks: Object.fromEntries(TASKS.map((t) => [t, { status: 'done', attempts: 1, durationMs: 5, startedAt }])) };
  await writeFile(join(root, SLUG, 'record.json'), JSON.stringify(record));
}

async function status(...args: string[]): Promise<string> {
  let out = '';
  const code = await main(['status', '--state-dir', root, '-f', manifest, ...args], {
    env: {},
    cwd: dir,
    stdout: (t) => void (out += t),
    stderr: (t) => void (out += t),
    signal: new AbortController().signal,
    isTTY: false,
    columns: 100,
  });
  expect(code).toBe(0);
  return out;
}

describe('bottle status of a stopped bottle', () => {
  it('says stopped after a stop, in the table, the total and --json', async () => {
    await ranAt('2026-01-02T09:00:00.000Z');
    await markStopped(join(root, SLUG, 'stopped.json'), new Date('2026-01-02T10:00:00Z'));
    const out = await status();
    expect(out).toMatch(/^reviewer +reviewer-ab12c +stopped +10 done$/m);
    expect(out).toContain('1 bottle: 1 stopped');
    expect(JSON.parse(await status('--json')).bottles[0].state).toBe('stopped');
  });

  it('says ready again once a run started after the stop', async () => {
    await markStopped(join(root, SLUG, 'stopped.json'), new Date('2026-01-02T10:00:00Z'));
    await ranAt('2026-01-02T11:00:00.000Z');
    expect(await status()).toContain('1 bottle: 1 ready');
  });
});
