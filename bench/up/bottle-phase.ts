/**
 * bottle's side of the bench: an untimed warm-up bottle (builds the images
 * if they are missing, then goes down), `bottle up -n N` cold, and the same
 * again, which must find every task up to date. It reads the runs' NDJSON
 * for readiness and the lower bound; it does not take the bottles down (the
 * caller does, after reading them back).
 */
import { UP_HELP } from '../../cli/commands/up.js';
import { UP_TASKS } from '../../graphs/up.js';
import { defaultLimits } from '../../lib/limits/names.js';
import { bottleJson, bottlePlain, bottlesOf, nodeEnds, readiness, type BottleRun, type Readiness } from './bottle.js';
import { lowerBound, type LowerBound } from './lower-bound.js';
import { seconds } from './timing.js';

export interface BottleFigures {
  cold: BottleRun;
  ready: Readiness;
  bound: LowerBound;
  noop: BottleRun;
  /** Nodes of the second run that were not up to date. */
  noopRan: { bottle: string; task: string; status: string }[];
}

export interface BottleSession {
  manifest: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Told each bottle a run reports, as soon as it is known (for the cleanup). */
  onBottles(slugs: readonly string[]): void;
  log(line: string): void;
}

/** bottle's default -j, read from its own help so the bound follows it. */
export function defaultConcurrency(): number {
  const m = /--concurrency N\s.*\(default (\d+)\)/.exec(UP_HELP);
  if (!m) throw new Error('cannot find the default of --concurrency in `bottle up --help` (cli/commands/up.ts); update bench/up/bottle-phase.ts to where it is now');
  return Number(m[1]);
}

export async function bottleRuns(n: number, concurrency: number, s: BottleSession): Promise<BottleFigures> {
  const up = async (args: string[]) => {
    const run = await bottleJson(['up', '-f', s.manifest, ...args], { env: s.env, signal: s.signal });
    s.onBottles(bottlesOf(run));
    if (s.signal.aborted) throw new Error('interrupted');
    return run;
  };

  s.log('== warm-up (untimed): one bottle, building the images if they are missing');
  const warm = await up([]);
  mustSucceed(warm, 'the warm-up bottle up');
  await bottlePlain(['down', '-f', s.manifest, '--purge'], { env: s.env });
  s.log(`   up ${seconds(warm.ms)} s, then down --purge`);

  s.log(`== bottle up -n ${n} (cold)`);
  const cold = await up(['-n', String(n)]);
  const ready = readiness(cold);
  const bound = lowerBound(nodeEnds(cold), UP_TASKS, concurrency, defaultLimits());
  s.log(`   ${seconds(cold.ms)} s, exit ${cold.exitCode}, ${ready.ready.length}/${n} ready`);
  for (const f of ready.failed) s.log(`   not ready: ${f.bottle}: ${f.why}`);

  s.log(`== bottle up -n ${n} (again: a no-op)`);
  const noop = await up(['-n', String(n)]);
  const noopEnds = nodeEnds(noop);
  const noopRan = noopEnds.filter((e) => e.status !== 'up-to-date');
  s.log(`   ${seconds(noop.ms)} s, exit ${noop.exitCode}, ${noopEnds.length - noopRan.length}/${noopEnds.length} nodes up to date`);
  return { cold, ready, bound, noop, noopRan };
}

function mustSucceed(run: BottleRun, what: string): void {
  if (run.exitCode === 0) return;
  const failed = nodeEnds(run).filter((e) => e.status === 'failed').map((e) => `${e.bottle}/${e.task}: ${e.error ?? ''}`);
  throw new Error(`${what} exited ${run.exitCode}: ${failed.slice(0, 5).join('; ') || run.stderr.trim().split('\n').slice(-5).join(' | ')}`);
}
