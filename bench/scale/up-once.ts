/**
 * One `bottle up` of N bottles in this process, as cli/run-locked.ts and
 * cli/commands/up.ts run it, on the no-work up graph: every bottle's lock and
 * the run lock taken, records and task logs in the state root (the record
 * store of lib/state), events to the plain reporter (its lines discarded),
 * the recap drawn; `bottle up`'s default -j and the limits of a manifest
 * without `limits:` (lib/limits/names.ts). It loads no manifest and plans
 * nothing. Prints one JSON line: the phases' wall times, the counts, the
 * record writes, CPU time and peak RSS (the kernel's high-water mark,
 * process.resourceUsage().maxRSS). run.ts starts it, once per run.
 *
 *     node up-once.js --root <state root> --n <bottles> [-j <concurrency>]
 */
import { parseArgs } from 'node:util';
import { runGraph, type RunResult } from '../../lib/engine/index.js';
import { DEFAULT_CONCURRENCY, defaultLimits } from '../../lib/limits/names.js';
import { writeFileAtomic } from '../../lib/state/atomic-write.js';
import { acquireLocks, releaseLocks } from '../../lib/state/lock.js';
import { logFile, runDir } from '../../lib/state/layout.js';
import { createRecordStore } from '../../lib/state/record-store.js';
import { ensureDir, itemDir } from '../../lib/state/root.js';
import { plainReporter } from '../../lib/report/plain.js';
import { recapLines } from '../../lib/report/recap.js';
import { noWorkUpGraph, type BenchCtx } from './no-work-up.js';

export interface UpOnce {
  wallS: number;
  phasesS: { locks: number; run: number; close: number; release: number; recap: number };
  counts: Record<string, number>;
  status: string;
  recordWrites: number;
  reportBytes: number;
  /** process.memoryUsage() right after the run, before the store is closed. */
  afterRunMb: { rss: number; heapUsed: number; external: number };
  peakMb: number;
  /** CPU time of the whole process, its threads (the fs thread pool) included. */
  cpuS: { user: number; system: number };
}

const mb = (bytes: number) => bytes / 2 ** 20;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { root: { type: 'string' }, n: { type: 'string' }, concurrency: { type: 'string', short: 'j' } } });
  const root = values.root;
  const n = Number(values.n);
  const concurrency = values.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(values.concurrency);
  if (!root || !(Number.isInteger(n) && n >= 1) || !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new Error(`usage: up-once.js --root <dir> --n <whole number >= 1> [-j <whole number >= 1>], got ${JSON.stringify(values)}`);
  }
  const graph = noWorkUpGraph();
  const slugs = Array.from({ length: n }, (_, i) => `bench-${String(i + 1).padStart(5, '0')}`);
  const items = slugs.map((slug) => ({ key: slug, ctx: { stateRoot: root, slug } satisfies BenchCtx }));

  const t0 = performance.now();
  await ensureDir(root);
  const locks = await acquireLocks([...slugs.map((s) => itemDir(root, s)), runDir(root)], { owner: 'bottle' });
  const t1 = performance.now();
  let recordWrites = 0;
  const recorder = createRecordStore(root, {
    write: (path, data, mode) => {
      recordWrites++;
      return writeFileAtomic(path, data, mode);
    },
  });
  let reportBytes = 0;
  const write = (line: string) => void (reportBytes += line.length + 1);
  let t2 = t1;
  let afterRun: NodeJS.MemoryUsage;
  let result: RunResult;
  try {
    result = await runGraph(graph, { items, shared: { stateRoot: root }, concurrency, resources: defaultLimits(), recorder, onEvent: plainReporter(write) });
    t2 = performance.now();
    // Before anything else opens a file: a run that ran out of descriptors says so here.
    if (result.recordErrors.length > 0) {
      throw new Error(`${result.recordErrors.length} record write(s) failed, the first: ${result.recordErrors[0]!.message}`);
    }
    afterRun = process.memoryUsage();
  } finally {
    await recorder.close?.();
  }
  const t3 = performance.now();
  await releaseLocks(locks);
  const t4 = performance.now();
  // The plain reporter's finish, drawn after the locks are released as in `bottle up`.
  recapLines(result, { logPath: (bottle, task) => logFile(root, bottle, task) }).forEach(write);
  const t5 = performance.now();

  const s = (ms: number) => ms / 1000;
  const cpu = process.cpuUsage();
  const out: UpOnce = {
    wallS: s(t5 - t0),
    phasesS: { locks: s(t1 - t0), run: s(t2 - t1), close: s(t3 - t2), release: s(t4 - t3), recap: s(t5 - t4) },
    counts: result.counts,
    status: result.status,
    recordWrites,
    reportBytes,
    afterRunMb: { rss: mb(afterRun.rss), heapUsed: mb(afterRun.heapUsed), external: mb(afterRun.external) },
    peakMb: process.resourceUsage().maxRSS / 1024,
    cpuS: { user: cpu.user / 1e6, system: cpu.system / 1e6 },
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main();
