/**
 * Crash safety on a real dockerd: `bottle up` of three bottles killed with
 * SIGKILL at 20 moments (seeded, spread over every task of the up graph,
 * half of them while bottles are made from nothing, half while `--force`
 * redoes every task). After each kill the records parse; a plain re-run
 * brings every bottle up; and nothing of ours is duplicated or orphaned: two
 * containers and one network per bottle, no half-written file on the host
 * (`bottle doctor` finds nothing), no temp file in the guests.
 */
import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOTTLE, bottle, endStatuses } from '../helpers/cli.js';
import { dockerOut, guest } from '../helpers/docker.js';

const TRIALS = 20;
const AGENTS = ['a', 'b', 'c'];
const TASKS = ['prepare', 'network', 'gate-repo', 'daemons', 'start-vm', 'prompt', 'skills', 'ca', 'git', 'supervise', 'ready'];

let work: string;
let env: Record<string, string>;
const file = () => join(work, 'bottle.yaml');

/** mulberry32: the same moments on every run. */
function seeded(seed: number): () => number {
  let t = seed;
  return () => {
    t = (t + 0x6d2b79f5) | 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `bottle up`, and SIGKILLs it `delayMs` after `task` starts for any bottle; resolves with what it printed. */
async function killDuring(task: string, delayMs: number, extra: string[]): Promise<{ killed: boolean; output: string }> {
  const child = execa('node', [BOTTLE, 'up', '-f', file(), '--progress', 'json', ...extra], { env, reject: false, stdin: 'ignore' });
  let output = '';
  let timer: NodeJS.Timeout | undefined;
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (!timer && output.includes(`"type":"node-start","bottle":"`) && new RegExp(`"node-start","bottle":"[^"]+","task":"${task}"`).test(output)) {
      timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    }
  });
  const result = await child;
  clearTimeout(timer);
  return { killed: result.signal === 'SIGKILL', output };
}

async function ourObjects(kind: 'container' | 'network'): Promise<string[]> {
  const list = kind === 'container' ? ['ps', '-a', '--format', '{{.Names}}'] : ['network', 'ls', '--format', '{{.Name}}'];
  const r = await dockerOut([...list, '--filter', `label=bot-bottle.state-root=${join(work, 'state')}`]);
  return r.stdout.split('\n').filter(Boolean).sort();
}

async function recordsParse(): Promise<void> {
  const root = join(work, 'state');
  for (const item of await readdir(root)) {
    const path = join(root, item, 'record.json');
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text !== undefined) expect(() => JSON.parse(text), path).not.toThrow();
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bottle-crash-'));
  await writeFile(file(), `bottles:\n  dev: { backend: docker }\nagents:\n${AGENTS.map((a) => `  ${a}: { bottle: dev, prompt: "agent ${a}" }\n`).join('')}`);
  env = { ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: join(work, 'state') };
}, 60_000);

afterAll(async () => {
  if (!work) return;
  await bottle(['down', '-f', file(), '--purge'], env);
  await rm(work, { recursive: true, force: true });
}, 300_000);

describe('bottle up killed with SIGKILL', () => {
  it(`converges after each of ${TRIALS} kills spread over every task, with nothing duplicated or left behind`, async () => {
    const random = seeded(20261129);
    const killedIn: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const task = TASKS[trial % TASKS.length]!;
      const delayMs = Math.floor(random() * 400);
      // Even trials make the bottles from nothing (after a down that keeps the state); odd ones redo every task.
      if (trial % 2 === 0) expect((await bottle(['down', '-f', file()], env)).exitCode).toBe(0);
      const run = await killDuring(task, delayMs, trial % 2 === 0 ? [] : ['--force']);
      if (run.killed) killedIn.push(`${task}+${delayMs}ms`);
      await recordsParse();

      const again = await bottle(['up', '-f', file(), '--progress', 'json'], env);
      expect(again.exitCode, `trial ${trial} (${task}+${delayMs}ms): ${again.stderr}`).toBe(0);
      const statuses = endStatuses(again.events);
      const slugs: string[] = again.events[0]!.bottles.filter((b: string) => b !== '_run');
      for (const slug of slugs) expect(statuses.get(`${slug}/ready`), `trial ${trial}: ${slug}`).toMatch(/^(done|up-to-date)$/);

      const containers = await ourObjects('container');
      expect(containers, `trial ${trial}`).toEqual(slugs.flatMap((s) => [`claude-bottle-${s}`, `claude-bottle-${s}-bundle`]).sort());
      expect(await ourObjects('network'), `trial ${trial}`).toEqual(slugs.map((s) => `claude-bottle-${s}`).sort());
      const doctor = await bottle(['doctor', '--json', '--this-root-only'], env);
      expect(JSON.parse(doctor.stdout).findings, `trial ${trial}`).toEqual([]);
      const leftovers = await readdir(join(work, 'state'), { recursive: true });
      expect(leftovers.filter((p) => /(^|\/)(\..+\.[0-9a-f]+\.tmp|lock\.[0-9a-f]+\.(tmp|stale)|\.leaf-\w{6}|\.issue-\w{6}|workspace-\w{6})$/.test(p)), `trial ${trial}`).toEqual([]);
      for (const slug of slugs) {
        const temp = await guest(`claude-bottle-${slug}`, ['sh', '-c', 'find /tmp /home/node -maxdepth 2 -name "*.tmp" -o -maxdepth 2 -name "tmp.*"']);
        expect(temp.stdout, `trial ${trial}: ${slug}`).toBe('');
      }
    }
    // Most kills land mid-run; a kill after the run ended is a trial of the re-run alone.
    expect(killedIn.length).toBeGreaterThanOrEqual(TRIALS * 0.75);
    console.log(`killed in: ${killedIn.join(', ')}`);
  }, 1_200_000);
});
