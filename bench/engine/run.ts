/**
 * bench/engine: the same 10,000-node graph (1,000 items x the 10 tasks of the
 * up graph, tasks that do no work) through our engine and through p-graph, in
 * one process, alternating, so the machine's noise hits both alike. Prints each
 * round, then medians, the ratio, per-node overhead and peak memory; the last
 * line is the RESULT line the issue asks for.
 */
import { PGraph } from 'p-graph';
import { defineGraph, runGraph, memoryRecorder } from '../../lib/engine/index.js';
import { noWorkTasks, UP_SHAPE } from './up-shape.js';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const NODES = ITEMS * Object.keys(UP_SHAPE).length;

async function ours(): Promise<number> {
  const started = performance.now();
  const graph = defineGraph(noWorkTasks());
  const items = Array.from({ length: ITEMS }, (_, i) => ({ key: `item${i}`, ctx: undefined }));
  const result = await runGraph(graph, { items, concurrency: CONCURRENCY });
  if (result.counts.done !== NODES) throw new Error(`engine ran ${result.counts.done} of ${NODES} nodes`);
  return performance.now() - started;
}

/** The same graph as `bottle up` runs it: records kept (in memory) and every event to a subscriber. */
async function oursRecorded(): Promise<number> {
  const started = performance.now();
  const graph = defineGraph(noWorkTasks());
  const items = Array.from({ length: ITEMS }, (_, i) => ({ key: `item${i}`, ctx: undefined }));
  let events = 0;
  const result = await runGraph(graph, { items, concurrency: CONCURRENCY, recorder: memoryRecorder(), onEvent: () => void events++ });
  if (result.counts.done !== NODES || events < 2 * NODES) throw new Error(`engine ran ${result.counts.done} of ${NODES} nodes`);
  return performance.now() - started;
}

async function pgraph(): Promise<number> {
  const started = performance.now();
  let ran = 0;
  const nodes = new Map<string, { run: () => void }>();
  const deps: [string, string][] = [];
  for (let i = 0; i < ITEMS; i++) {
    for (const [task, needs] of Object.entries(UP_SHAPE)) {
      nodes.set(`item${i}/${task}`, { run: () => void ran++ });
      for (const need of needs) deps.push([`item${i}/${need}`, `item${i}/${task}`]);
    }
  }
  await new PGraph(nodes, deps).run({ concurrency: CONCURRENCY });
  if (ran !== NODES) throw new Error(`p-graph ran ${ran} of ${NODES} nodes`);
  return performance.now() - started;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  console.log(`bench/engine: ${ITEMS} items x ${Object.keys(UP_SHAPE).length} tasks = ${NODES} nodes, concurrency ${CONCURRENCY}, ${ROUNDS} rounds (+1 warm-up)`);
  await ours();
  await pgraph();
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate which goes first, so neither always runs on a warmer or colder heap.
    if (round % 2) {
      a.push(await ours());
      b.push(await pgraph());
    } else {
      b.push(await pgraph());
      a.push(await ours());
    }
    console.log(`round ${round}: engine ${a.at(-1)!.toFixed(1)} ms, p-graph ${b.at(-1)!.toFixed(1)} ms`);
  }
  const c: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) c.push(await oursRecorded());
  const recordedS = median(c) / 1000;
  const engineS = median(a) / 1000;
  const pgraphS = median(b) / 1000;
  const overheadUs = (engineS * 1e6) / NODES;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  console.log(`median: engine ${(engineS * 1000).toFixed(1)} ms, p-graph ${(pgraphS * 1000).toFixed(1)} ms`);
  console.log(
    `with records (in memory) and an event subscriber, as bottle up runs it: ${(recordedS * 1000).toFixed(1)} ms, ratio ${(recordedS / pgraphS).toFixed(3)} to p-graph, ${((recordedS * 1e6) / NODES).toFixed(2)} us/node`,
  );
  console.log(
    `RESULT engine_s=${engineS.toFixed(4)} pgraph_s=${pgraphS.toFixed(4)} ratio=${(engineS / pgraphS).toFixed(3)} overhead_us=${overheadUs.toFixed(2)} peak_mb=${peakMb.toFixed(1)}`,
  );
}

await main();
