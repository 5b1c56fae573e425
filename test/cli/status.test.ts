/**
 * `bottle status` over 100 bottles, in-process, on a state root written the
 * way `bottle up` leaves it (plan.json and record.json per bottle, as
 * lib/plan/known-bottles.ts reads them): a table that fits 80 columns, a
 * total, each failed task once; `--json` unchanged.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ItemRecord, TaskRecord } from '../../lib/engine/index.js';
import { main } from '../../cli/main.js';
import { GUEST, GUEST_SHOWN, RAW_CONTROL } from '../report/hostile.js';

const TASKS = ['prepare', 'network', 'daemons', 'start-vm', 'prompt', 'skills', 'ca', 'git', 'supervise', 'ready'];
const LONG = 'a-very-long-agent-name-for-the-nightly-review';

let dir: string;
let manifest: string;
let root: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bottle-status-'));
  manifest = join(dir, 'bottle.yaml');
  root = join(dir, 'state');
  await writeFile(manifest, 'bottles: { dev: {} }\nagents: { reviewer: { bottle: dev } }\n');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const done = (task: string): TaskRecord => ({ status: 'done', attempts: 1, durationMs: 1234.5, ...(task === 'ready' ? { output: { agent: 'up', proxy: 'ok' } } : {}) });

/** A bottle's plan.json and record.json, as `bottle up` writes them. */
async function bottle(agent: string, tasks: Record<string, TaskRecord>, backend = 'docker'): Promise<string> {
  const slug = `${agent}-ab12c`;
  await mkdir(join(root, slug), { recursive: true });
  const plan = { manifest, agent, definition: 'reviewer', bottle: 'dev', slug, backend, machine: `claude-bottle-${slug}`, bundle: `claude-bottle-${slug}-bundle` };
  const record: ItemRecord = { v: 1, item: slug, tasks };
  await writeFile(join(root, slug, 'plan.json'), JSON.stringify(plan));
  await writeFile(join(root, slug, 'record.json'), JSON.stringify(record));
  return slug;
}

/** 100 bottles `reviewer-<i>`: 97 ready, 2 failed (one quoting a hostile guest), 1 partial. */
async function hundred(backendOf: (i: number) => string = () => 'docker'): Promise<void> {
  for (let i = 1; i <= 100; i++) {
    let tasks: Record<string, TaskRecord> = Object.fromEntries(TASKS.map((t) => [t, done(t)]));
    if (i === 3) tasks = { ...tasks, 'start-vm': { status: 'failed', attempts: 1, durationMs: 10, error: { message: 'port 8080 is already in use', code: 'X', transient: false } }, ready: { status: 'blocked', attempts: 0, durationMs: 0 } };
    if (i === 9) tasks = { ...tasks, ca: { status: 'failed', attempts: 3, durationMs: 10, error: { message: GUEST, code: 'X', transient: false } }, ready: { status: 'blocked', attempts: 0, durationMs: 0 } };
    if (i === 77) tasks = Object.fromEntries(TASKS.slice(0, 6).map((t) => [t, done(t)]));
    await bottle(`reviewer-${i}`, tasks, backendOf(i));
  }
}

async function status(columns: number, ...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(['status', '--state-dir', root, ...args], {
    env: {},
    cwd: dir,
    stdout: (t) => void (out += t),
    stderr: (t) => void (out += t),
    signal: new AbortController().signal,
    isTTY: true,
    columns,
  });
  return { code, out };
}

describe('bottle status with 100 bottles', () => {
  it('is a table that fits 80 columns, a total, and each failed task once with its log', async () => {
    await hundred();
    const { code, out } = await status(80);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    for (const line of lines.slice(0, 102)) expect([...line].length).toBeLessThanOrEqual(80);
    expect(out).not.toMatch(RAW_CONTROL);
    // All on one backend: no BACKEND column. The slug fits, so it shows.
    expect(lines[0]).toMatch(/^AGENT +SLUG +STATE +TASKS$/);
    expect(lines[1]).toMatch(/^reviewer-1 +reviewer-1-ab12c +ready +10 done$/);
    expect(lines.find((l) => l.startsWith('reviewer-3 '))).toMatch(/^reviewer-3 +reviewer-3-ab12c +failed +8 done, 1 failed, 1 blocked$/);
    expect(lines.find((l) => l.startsWith('reviewer-77 '))).toMatch(/^reviewer-77 +reviewer-77-ab12c +partial +6 done$/);
    // Columns line up: every row's STATE starts under the heading's.
    const at = lines[0]!.indexOf('STATE');
    for (const line of lines.slice(1, 101)) expect(line.slice(at)).toMatch(/^(ready|failed|partial) /);
    expect(lines[101]).toBe('100 bottles: 97 ready, 2 failed, 1 partial');
    expect(lines.slice(102)).toEqual([
      'Failures:',
      '  reviewer-3-ab12c start-vm: port 8080 is already in use',
      `    log: ${join(root, 'reviewer-3-ab12c', 'logs', 'start-vm.log')}`,
      `  reviewer-9-ab12c ca: ${GUEST_SHOWN}`,
      `    log: ${join(root, 'reviewer-9-ab12c', 'logs', 'ca.log')}`,
    ]);
  });

  it('cuts a long agent name with an ellipsis, and leaves the slug out when it no longer fits', async () => {
    await hundred();
    await bottle(LONG, Object.fromEntries(TASKS.map((t) => [t, done(t)])));
    const lines = (await status(80)).out.split('\n');
    expect(lines[0]).toMatch(/^AGENT +STATE +TASKS$/);
    // The agent column takes at most 40% of the width: 32 columns.
    expect(lines.find((l) => l.startsWith('a-very'))).toBe('a-very-long-agent-name-for-the-…  ready    10 done');
    expect(lines.find((l) => l.startsWith('reviewer-1 '))).toBe(`${'reviewer-1'.padEnd(32)}  ready    10 done`);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
    expect(lines).toContain('101 bottles: 98 ready, 2 failed, 1 partial');
  });

  it('adds BACKEND when the bottles do not all share one', async () => {
    await hundred((i) => (i % 10 === 0 ? 'smolvm' : 'docker'));
    const lines = (await status(120)).out.split('\n');
    expect(lines[0]).toMatch(/^AGENT +SLUG +BACKEND +STATE +TASKS$/);
    expect(lines.find((l) => l.startsWith('reviewer-10 '))).toMatch(/^reviewer-10 +reviewer-10-ab12c +smolvm +ready +10 done$/);
  });

  it('keeps --json exactly as it was: every bottle, each task with status, attempts, rounded duration and error', async () => {
    await hundred();
    const { code, out } = await status(80, '--json');
    expect(code).toBe(0);
    expect(out.endsWith('}\n')).toBe(true);
    const json = JSON.parse(out) as { v: number; bottles: Record<string, unknown>[] };
    expect(Object.keys(json)).toEqual(['v', 'bottles']);
    expect(json.v).toBe(1);
    expect(json.bottles).toHaveLength(100);
    const tasksDone = Object.fromEntries(TASKS.map((t) => [t, { status: 'done', attempts: 1, durationMs: 1235 }]));
    expect(json.bottles.find((b) => b.agent === 'reviewer-1')).toStrictEqual({
      agent: 'reviewer-1',
      slug: 'reviewer-1-ab12c',
      backend: 'docker',
      state: 'ready',
      tasks: tasksDone,
      ready: { agent: 'up', proxy: 'ok' },
    });
    expect(json.bottles.find((b) => b.agent === 'reviewer-9')).toStrictEqual({
      agent: 'reviewer-9',
      slug: 'reviewer-9-ab12c',
      backend: 'docker',
      state: 'failed',
      tasks: { ...tasksDone, ca: { status: 'failed', attempts: 3, durationMs: 10, error: GUEST }, ready: { status: 'blocked', attempts: 0, durationMs: 0 } },
    });
    expect(json.bottles.find((b) => b.agent === 'reviewer-77')).toMatchObject({ state: 'partial' });
  });
});
