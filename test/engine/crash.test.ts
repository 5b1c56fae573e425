/**
 * Crash safety of the engine with its on-disk records: a child process running
 * a real graph (test/fixtures/crash-child.ts) is SIGKILLed at random points.
 * After every kill each record that exists must still read as a valid record,
 * and a re-run must take over the dead run's locks and complete, redoing no
 * node whose record said it was done with the same inputs.
 *
 * Kill points come from a seeded PRNG; set CRASH_SEED to replay another seed.
 * Kills come in three blocks of four, each block with its own `epoch` (a
 * changed input, so the block's first run has all the work to do again), and
 * each block ends with a recovery run that must complete.
 */
import { describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { access, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { RUN_ITEM, isSuccess, type ItemRecord } from '../../lib/engine/index.js';
import { readRecord } from '../../lib/state/record-file.js';
import { BOTTLE_TASK_IDS, ITEMS, RUN_TASK_IDS } from '../fixtures/crash-child.js';
import { seededRandom } from '../helpers/seeded-random.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/crash-child.ts', import.meta.url));

const SEED = Number(process.env.CRASH_SEED ?? 0x5eed_c0de);
const KILLS = 12;
/** A recovery run (no kill) after every this many kills; the last one is the end of the test. */
const RECOVER_EVERY = 4;
/** Kill this long (uniform) after the child says STARTED; a full run lasts ~250-330 ms after it. */
const MAX_KILL_DELAY_MS = 120;
const MIN_MID_RUN_KILLS = 8;

const EXPECTED: ReadonlyMap<string, readonly string[]> = new Map([
  [RUN_ITEM, RUN_TASK_IDS],
  ...ITEMS.map((item) => [item, BOTTLE_TASK_IDS] as const),
]);
const NODE_COUNT = [...EXPECTED.values()].reduce((sum, tasks) => sum + tasks.length, 0);

interface Summary {
  status: string;
  counts: Record<string, number>;
}

function spawnChild(root: string, epoch: number): ResultPromise<{ reject: false; cwd: string }> {
  return execa(process.execPath, ['--import', 'tsx', FIXTURE, root, String(epoch)], { reject: false, cwd: REPO_ROOT });
}

/** Resolves true once the child has printed STARTED, false if it ends first. */
function started(child: ResultPromise<{ reject: false; cwd: string }>): Promise<boolean> {
  return new Promise((resolve) => {
    let seen = '';
    const onData = (chunk: Buffer | string) => {
      seen += String(chunk);
      if (seen.includes('STARTED\n')) {
        child.stdout.off('data', onData);
        resolve(true);
      }
    };
    child.stdout.on('data', onData);
    void child.then(() => resolve(false));
  });
}

/** The JSON summary line the child prints when it finishes, if it did. */
function summaryOf({ stdout, stderr }: { stdout: string; stderr: string }): Summary | undefined {
  const lines = stdout.split('\n').filter((l) => l !== '');
  const shown = `child stdout: ${JSON.stringify(stdout)}\nstderr: ${stderr}`;
  expect(lines[0], shown).toBe('STARTED');
  expect(lines.length, shown).toBeLessThanOrEqual(2);
  return lines[1] === undefined ? undefined : (JSON.parse(lines[1]) as Summary);
}

/**
 * Every `<root>/<dir>/record.json` there is, read through readRecord (which
 * throws on a torn or malformed record), plus the temp files of interrupted
 * atomic writes and lock takes that were left behind.
 */
async function readAllRecords(root: string): Promise<{ records: Map<string, ItemRecord>; leftovers: string[] }> {
  const records = new Map<string, ItemRecord>();
  const leftovers: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'work') continue;
    expect(EXPECTED.has(entry.name), `unexpected state dir ${entry.name}`).toBe(true);
    const dir = join(root, entry.name);
    const record = await readRecord(join(dir, 'record.json'), entry.name);
    if (record) {
      expect(record.item).toBe(entry.name);
      for (const task of Object.keys(record.tasks)) expect(EXPECTED.get(entry.name)).toContain(task);
      records.set(entry.name, record);
    }
    for (const name of await readdir(dir)) {
      if (name.endsWith('.tmp') || name.endsWith('.stale')) leftovers.push(`${entry.name}/${name}`);
    }
  }
  return { records, leftovers };
}

/**
 * No node was run again although the record before the run said it was done
 * with the very inputs it ran with now: its work survived and must be reused.
 */
function expectNothingRedone(before: Map<string, ItemRecord>, after: Map<string, ItemRecord>, when: string): void {
  for (const [item, record] of after) {
    for (const [task, entry] of Object.entries(record.tasks)) {
      const prior = before.get(item)?.tasks[task];
      const rewritten = JSON.stringify(entry) !== JSON.stringify(prior); // an entry the run did not touch is not a re-run
      if (entry.status === 'done' && rewritten && prior && isSuccess(prior.status) && prior.fingerprint === entry.fingerprint) {
        expect.fail(`${when}: ${item}/${task} was recorded as ${prior.status} with fingerprint ${prior.fingerprint}, yet ran again`);
      }
    }
  }
}

/** How many task entries differ between two sets of records: what a run wrote. */
function changedEntries(before: Map<string, ItemRecord>, after: Map<string, ItemRecord>): number {
  let changed = 0;
  for (const [item, record] of after) {
    for (const [task, entry] of Object.entries(record.tasks)) {
      if (JSON.stringify(entry) !== JSON.stringify(before.get(item)?.tasks[task])) changed++;
    }
  }
  return changed;
}

/** Every node of the graph is recorded in one of `statuses`. */
function expectComplete(records: Map<string, ItemRecord>, statuses: readonly string[], when: string): void {
  expect([...records.keys()].sort(), when).toEqual([...EXPECTED.keys()].sort());
  for (const [item, tasks] of EXPECTED) {
    const record = records.get(item)!;
    expect(Object.keys(record.tasks).sort(), `${when}: tasks of ${item}`).toEqual([...tasks].sort());
    for (const task of tasks) expect(statuses, `${when}: ${item}/${task}`).toContain(record.tasks[task]!.status);
  }
}

/** A run left to finish: it must take over any dead run's locks and complete. */
async function runToCompletion(root: string, epoch: number, when: string): Promise<Summary> {
  const before = (await readAllRecords(root)).records;
  const result = await spawnChild(root, epoch);
  expect(result.exitCode, `${when}: child failed\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(0);
  const summary = summaryOf(result);
  expect(summary?.status, `${when}: ${result.stdout}`).toBe('ok');
  const after = (await readAllRecords(root)).records;
  expectComplete(after, ['done', 'up-to-date'], when);
  expectNothingRedone(before, after, when);
  expect(summary!.counts.done! + summary!.counts['up-to-date']!, when).toBe(NODE_COUNT);
  // A finished run released its locks.
  for (const item of EXPECTED.keys()) {
    await expect(access(join(root, item, 'lock')), `${when}: lock of ${item} left behind`).rejects.toThrow();
  }
  return summary!;
}

describe('crash safety of records', () => {
  it(
    `survives SIGKILL at ${KILLS} random points and a re-run completes (seed ${SEED})`,
    async () => {
      const root = await mkdtemp(join(tmpdir(), 'bottle-crash-'));
      const random = seededRandom(SEED);
      const log: string[] = [];
      let midRun = 0;
      try {
        for (let k = 1; k <= KILLS; k++) {
          const epoch = Math.ceil(k / RECOVER_EVERY);
          const when = `seed ${SEED}, kill ${k}`;
          const delay = Math.floor(random() * (MAX_KILL_DELAY_MS + 1));
          const before = (await readAllRecords(root)).records;

          const child = spawnChild(root, epoch);
          const didStart = await started(child);
          if (didStart) await sleep(delay);
          child.kill('SIGKILL');
          const result = await child;
          const summary = summaryOf(result);
          if (result.signal === 'SIGKILL' && summary === undefined) {
            midRun++;
          } else {
            // It finished before the kill landed: then it must have finished well.
            expect(result.exitCode, `${when}: stderr: ${result.stderr}`).toBe(0);
            expect(summary?.status, when).toBe('ok');
          }

          // Whatever the kill interrupted, every record there is reads whole.
          const { records, leftovers } = await readAllRecords(root);
          log.push(
            `kill ${k} (epoch ${epoch}): +${delay} ms, ${summary === undefined ? 'killed mid-run' : 'finished first'}, ` +
              `${changedEntries(before, records)} record entries written`,
          );
          if (leftovers.length > 0) log.push(`  left behind: ${leftovers.join(', ')}`);
          expectNothingRedone(before, records, when);

          if (k % RECOVER_EVERY === 0) {
            const s = await runToCompletion(root, epoch, `${when}, recovery run`);
            log.push(`recovery (epoch ${epoch}): ${JSON.stringify(s.counts)}`);
          }
        }

        // Nothing more to do: every node's record of completed work survived.
        const last = await runToCompletion(root, Math.ceil(KILLS / RECOVER_EVERY), `seed ${SEED}, last run`);
        log.push(`last run: ${JSON.stringify(last.counts)}`);
        expect(last.counts.done).toBe(0);
        expect(last.counts['up-to-date']).toBe(NODE_COUNT);
        expectComplete((await readAllRecords(root)).records, ['up-to-date'], `seed ${SEED}, last run`);
        for (const item of ITEMS) await access(join(root, 'work', item, 'healthcheck.txt'));

        log.push(`${midRun}/${KILLS} kills landed mid-run`);
        console.log(`crash test, seed ${SEED}:\n${log.join('\n')}`);
        expect(midRun, `seed ${SEED}: too few kills landed mid-run\n${log.join('\n')}`).toBeGreaterThanOrEqual(MIN_MID_RUN_KILLS);
      } catch (error) {
        console.error(`crash test failed, seed ${SEED} (rerun with CRASH_SEED=${SEED}):\n${log.join('\n')}`);
        throw error;
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
