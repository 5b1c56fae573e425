/**
 * Two runs at once on a real dockerd: two `bottle up` of one bottle never
 * interleave (the second waits, saying for whom, and finds everything done),
 * `--no-wait` fails at once with exit 1, and a run on another bottle goes on
 * beside the first: it waits at most for the shared image tasks.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOTTLE, bottle, endStatuses } from '../helpers/cli.js';

let work: string;
let env: Record<string, string>;

const manifest = `
bottles:
  dev: { backend: docker }
agents:
  a: { bottle: dev }
  b: { bottle: dev }
`;

interface Running {
  child: ResultPromise;
  events: { at: number; event: Record<string, any> }[];
  /** Resolves with the time of the first event that matches. */
  seen(match: (event: Record<string, any>) => boolean): Promise<number>;
}

/** `bottle <args> --progress json`, its NDJSON events timed as they arrive. */
function start(...args: string[]): Running {
  const child = execa('node', [BOTTLE, ...args, '-f', join(work, 'bottle.yaml'), '--progress', 'json'], { env, reject: false, stdin: 'ignore' });
  const events: Running['events'] = [];
  const waiters: { match: (e: Record<string, any>) => boolean; done: (at: number) => void }[] = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines.filter(Boolean)) {
      const entry = { at: Date.now(), event: JSON.parse(line) as Record<string, any> };
      events.push(entry);
      for (const w of waiters.filter((w) => w.match(entry.event))) w.done(entry.at);
    }
  });
  const seen = (match: (e: Record<string, any>) => boolean) =>
    new Promise<number>((done, fail) => {
      const hit = events.find((e) => match(e.event));
      if (hit) return done(hit.at);
      waiters.push({ match, done });
      void child.then(() => fail(new Error(`bottle ${args.join(' ')} ended without the event`)));
    });
  return { child, events, seen };
}

const IMAGE_TASKS = ['base-image', 'agent-image', 'bundle-image'];
const imagesDone = (r: Running) => IMAGE_TASKS.every((task) => r.events.some((e) => e.event.type === 'node-end' && e.event.task === task));

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bottle-concurrent-'));
  await writeFile(join(work, 'bottle.yaml'), manifest);
  env = { ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: join(work, 'state') };
}, 60_000);

afterAll(async () => {
  if (!work) return;
  await bottle(['down', '-f', join(work, 'bottle.yaml'), '--purge'], env);
  await rm(work, { recursive: true, force: true });
}, 300_000);

describe('two runs at once', () => {
  it('on one bottle: the second waits, naming the first, then finds it all done; --no-wait fails at once', async () => {
    const first = start('up', 'a');
    await first.seen((e) => e.type === 'node-start' && e.bottle !== '_run');
    const refused = await bottle(['up', 'a', '--no-wait', '-f', join(work, 'bottle.yaml')], env);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`bottle a-\\w+ is locked by another run \\(pid ${first.child.pid}, bottle up a -f [^,]+, started `));

    const second = start('up', 'a');
    const [one, two] = await Promise.all([first.child, second.child]);
    expect(one.exitCode, String(one.stderr)).toBe(0);
    expect(two.exitCode, String(two.stderr)).toBe(0);
    expect(String(two.stderr)).toMatch(new RegExp(`is locked by another run \\(pid ${first.child.pid}, bottle up a -f [^,]+, started [^)]+\\); waiting for it`));
    // Waited for the whole first run: it found every task done, and started none before the first had ended.
    const firstEnd = first.events.find((e) => e.event.type === 'run-end')!.at;
    const secondStart = second.events.find((e) => e.event.type === 'node-start' && e.event.bottle !== '_run');
    expect(secondStart?.at ?? Infinity).toBeGreaterThanOrEqual(firstEnd);
    const statuses = [...endStatuses(second.events.map((e) => e.event)).entries()].filter(([node]) => node.startsWith('a-'));
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every(([, status]) => status === 'up-to-date')).toBe(true);
  }, 300_000);

  it('on two bottles: the second runs while the first still does, waiting at most for the images', async () => {
    const first = start('up', 'a', '--force');
    await first.seen(() => imagesDone(first));
    const second = start('up', 'b', '--no-wait');
    const [one, two] = await Promise.all([first.child, second.child]);
    expect(two.exitCode, String(two.stderr)).toBe(0);
    expect(one.exitCode, String(one.stderr)).toBe(0);
    const bSlug = second.events[0]!.event.bottles.find((s: string) => s.startsWith('b-'));
    expect(endStatuses(second.events.map((e) => e.event)).get(`${bSlug}/ready`)).toMatch(/^(done|up-to-date)$/);
    // b's tasks started while a's run went on: --no-wait would have failed had a held anything b needs.
    const bStarted = second.events.find((e) => e.event.type === 'node-start' && e.event.bottle === bSlug)?.at;
    expect(bStarted, JSON.stringify(second.events.map((e) => e.event))).toBeDefined();
    expect(bStarted!).toBeLessThan(first.events.find((e) => e.event.type === 'run-end')!.at);
  }, 300_000);
});
