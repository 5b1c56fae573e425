/**
 * Supervise end to end on a real dockerd: Claude Code in the agent machine
 * sees the server connected; an MCP client in the agent machine (Node's
 * fetch speaking streamable HTTP, test/e2e/fixtures/mcp-call.cjs) reports,
 * asks and finishes; `bottle inbox` shows it all and `bottle answer` releases
 * the waiting call; a restarted bundle loses nothing.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bottle, REPO } from '../helpers/cli.js';
import { dockerOut, guest } from '../helpers/docker.js';

let work: string;
let env: Record<string, string>;
let plan: { agent: string; slug: string; machine: string; bundle: string; bundleHost: string; stateDir: string };
let url: string;

const manifest = `
bottles:
  dev: { backend: docker }
agents:
  helper: { bottle: dev }
`;

const call = (tool: string, args: object) => guest(plan.machine, ['node', '/tmp/mcp-call.cjs', url, tool, JSON.stringify(args)]);
const cli = (...args: string[]) => bottle([...args, '-f', join(work, 'bottle.yaml')], env);
const inbox = async () => JSON.parse((await cli('inbox', '--json')).stdout).messages as Record<string, any>[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bottle-supervise-'));
  await writeFile(join(work, 'bottle.yaml'), manifest);
  env = { ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: join(work, 'state') };
  const up = await bottle(['up', '-f', join(work, 'bottle.yaml'), '--progress', 'json'], env);
  expect(up.exitCode, up.stderr + JSON.stringify(up.events.filter((e) => e.status === 'failed'))).toBe(0);
  const slug = up.events[0]!.bottles.find((b: string) => b.startsWith('helper-'));
  plan = JSON.parse(await readFile(join(work, 'state', slug, 'plan.json'), 'utf8'));
  url = `http://${plan.bundleHost}:8765/mcp`;
  expect((await dockerOut(['cp', join(REPO, 'test', 'e2e', 'fixtures', 'mcp-call.cjs'), `${plan.machine}:/tmp/mcp-call.cjs`])).exitCode).toBe(0);
}, 900_000);

afterAll(async () => {
  if (!work) return;
  await bottle(['down', '-f', join(work, 'bottle.yaml'), '--purge'], env);
  await rm(work, { recursive: true, force: true });
}, 300_000);

describe('supervise', () => {
  it('is connected, as the real `claude mcp list` in the agent machine says', async () => {
    const r = await guest(plan.machine, ['claude', 'mcp', 'list']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^supervise: ${url.replace(/[.]/g, '\\.')} \\(HTTP\\) - . Connected$`, 'm'));
  });

  it('carries a question to a human and the answer back; progress and done show in the inbox', async () => {
    expect((await call('report_progress', { text: 'read the code' })).exitCode).toBe(0);
    const asking = call('ask_human', { question: 'Which database?', options: ['postgres', 'sqlite'] });
    let question: Record<string, any> | undefined;
    await vi.waitFor(async () => {
      question = (await inbox()).find((m) => m.kind === 'question');
      expect(question?.status).toBe('unanswered');
    }, { timeout: 20_000, interval: 250 });
    const text = await cli('inbox');
    expect(text.stdout).toContain(`helper #${question!.id}`);
    expect(text.stdout).toContain('[unanswered]');
    expect(text.stdout).toContain('options: postgres | sqlite');
    const answered = await cli('answer', 'helper', question!.id, 'postgres,', 'please');
    expect(answered.exitCode, answered.stderr).toBe(0);
    const asked = await asking;
    expect(asked.exitCode, asked.stderr).toBe(0);
    expect(asked.stdout).toBe('postgres, please');
    expect((await call('done', { summary: 'all done' })).exitCode).toBe(0);
    expect((await inbox()).map((m) => [m.kind, m.text, m.status, m.answer?.text])).toEqual([
      ['progress', 'read the code', undefined, undefined],
      ['question', 'Which database?', 'answered', 'postgres, please'],
      ['done', 'all done', undefined, undefined],
    ]);
  });

  it('refuses a second answer and an unknown question with exit 2, saying what to do', async () => {
    const question = (await inbox()).find((m) => m.kind === 'question')!;
    const again = await cli('answer', 'helper', question.id, 'sqlite');
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/already answered/);
    const unknown = await cli('answer', 'helper', '999', 'x');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/999/);
  });

  it('loses no message when the bundle restarts, and goes on counting', async () => {
    const before = await inbox();
    expect((await dockerOut(['restart', '-t', '2', plan.bundle])).exitCode).toBe(0);
    await vi.waitFor(async () => expect((await call('report_progress', { text: 'after the restart' })).exitCode).toBe(0), { timeout: 30_000, interval: 500 });
    const after = await inbox();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.at(-1)).toMatchObject({ kind: 'progress', text: 'after the restart', id: String(Number(before.at(-1)!.id) + 1) });
  });
});
