/**
 * A batch for the display's tests: `bottle up -n 100`'s shape on the virtual
 * clock. The up graph's thirteen task ids and needs (graphs/up.ts: three
 * images built one at a time, ten tasks per bottle) as tasks that sleep
 * seconds of virtual time, run over 100 bottles, eight nodes at once.
 * agent-5's network fails once and is retried; agent-3's start-vm and
 * agent-9's ca fail for good.
 */
import { defineGraph, memoryRecorder, runGraph, TaskError, type EngineEvent, type RunResult } from '../../lib/engine/index.js';
import { items, newProbe, sleepTask, type Ctx } from '../helpers/graphs.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

export const BATCH = Array.from({ length: 100 }, (_, i) => `agent-${i + 1}-ab12c`);
export const FAILURES = [
  { item: 'agent-3-ab12c', task: 'start-vm', message: 'port 8080 is already in use' },
  { item: 'agent-9-ab12c', task: 'ca', message: 'curl: (60) SSL certificate problem' },
] as const;

/** id, needs, virtual ms; images are run-scoped and hold the one build slot. */
const SHAPE: [string, string[], number][] = [
  ['base-image', [], 20_000],
  ['agent-image', ['base-image'], 15_000],
  ['bundle-image', ['base-image'], 5_000],
  ['prepare', [], 1_000],
  ['network', ['prepare'], 2_000],
  ['daemons', ['network', 'bundle-image', 'prepare'], 3_000],
  ['start-vm', ['prepare', 'network', 'agent-image', 'daemons'], 8_000],
  ['prompt', ['start-vm'], 1_000],
  ['skills', ['prepare', 'start-vm'], 2_000],
  ['ca', ['prepare', 'start-vm', 'daemons'], 3_000],
  ['git', ['start-vm', 'daemons'], 2_000],
  ['supervise', ['start-vm', 'daemons'], 2_000],
  ['ready', ['prompt', 'skills', 'ca', 'git', 'supervise'], 1_000],
];
export const BATCH_TASKS = SHAPE.map(([id]) => id);
export const RUN_TASKS = new Set(['base-image', 'agent-image', 'bundle-image']);

export function batchGraph(clock: VirtualClock) {
  const probe = newProbe();
  const retry = { attempts: 3, baseMs: 1000, factor: 2, capMs: 4000, jitter: 0 };
  return defineGraph<Ctx>(
    SHAPE.map(([id, needs, ms]) =>
      sleepTask(
        {
          id,
          needs,
          ms,
          retry,
          ...(RUN_TASKS.has(id) ? { scope: 'run' as const, resources: ['docker-build'] } : {}),
          failOn: (item, attempt) => {
            if (item === 'agent-5-ab12c' && id === 'network' && attempt === 1) return new TaskError('docker daemon busy', { transient: true });
            const failure = FAILURES.find((f) => f.item === item && f.task === id);
            return failure ? new TaskError(failure.message) : undefined;
          },
        },
        clock,
        probe,
      ),
    ),
  );
}

/** Runs the batch on a fresh virtual clock, each event handed to `onEvent` with the clock's time. */
export async function runBatch(onEvent: (e: EngineEvent, now: number) => void, clock = new VirtualClock()): Promise<RunResult> {
  return clock.run(
    runGraph(batchGraph(clock), {
      items: items(...BATCH),
      shared: { item: '_run' },
      clock,
      random: () => 0.5,
      concurrency: 8,
      resources: { 'docker-build': 1 },
      recorder: memoryRecorder(),
      onEvent: (e) => onEvent(e, clock.now()),
    }),
  );
}
