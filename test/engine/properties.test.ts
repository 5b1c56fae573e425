/**
 * Property tests over random DAGs, item counts, limits and failures, on the
 * virtual clock. Each property runs RUNS random graphs (at least 200 in CI).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineGraph } from '../../lib/engine/graph.js';
import { runGraph } from '../../lib/engine/scheduler.js';
import { memoryRecorder } from '../../lib/engine/recorder.js';
import { RUN_ITEM } from '../../lib/engine/options.js';
import type { EngineEvent } from '../../lib/engine/events.js';
import { VirtualClock } from '../helpers/virtual-clock.js';
import { boom, items, newProbe, sleepTask, type SleepTaskSpec } from '../helpers/graphs.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);

interface Scenario {
  tasks: { needs: number[]; ms: number; run: boolean; resource: boolean }[];
  items: number;
  concurrency: number;
  resourceLimit: number;
  /** `<itemIndex>:<taskIndex>` pairs whose task fails (not transient). */
  failures: string[];
}

const scenario: fc.Arbitrary<Scenario> = fc
  .record({ n: fc.integer({ min: 1, max: 10 }), runScoped: fc.integer({ min: 0, max: 2 }), items: fc.integer({ min: 1, max: 5 }) })
  .chain(({ n, runScoped, items: itemCount }) =>
    fc.record({
      tasks: fc.tuple(
        ...Array.from({ length: n }, (_, i) =>
          fc.record({
            // Needs point backwards, so the graph is acyclic; run-scoped tasks come
            // first, so one of them can only need run-scoped ones.
            needs: fc.subarray(Array.from({ length: i }, (_, j) => j)),
            ms: fc.integer({ min: 1, max: 20 }),
            run: fc.constant(i < runScoped),
            resource: fc.boolean(),
          }),
        ),
      ),
      items: fc.constant(itemCount),
      concurrency: fc.integer({ min: 1, max: 4 }),
      resourceLimit: fc.integer({ min: 1, max: 2 }),
      failures: fc.uniqueArray(
        fc.tuple(fc.integer({ min: 0, max: itemCount - 1 }), fc.integer({ min: 0, max: n - 1 })).map(([a, b]) => `${a}:${b}`),
        { maxLength: 3 },
      ),
    }),
  );

const itemKey = (i: number) => `b${i}`;
const taskId = (i: number) => `t${i}`;

function build(s: Scenario, opts: { fail: boolean; version?: Map<string, number> }) {
  const clock = new VirtualClock();
  const probe = newProbe();
  const failing = new Set(opts.fail ? s.failures : []);
  const specs: SleepTaskSpec[] = s.tasks.map((t, i) => ({
    id: taskId(i),
    needs: t.needs.map(taskId),
    ms: t.ms,
    scope: t.run ? 'run' : 'bottle',
    resources: t.resource ? ['r'] : [],
    failOn: (item) => {
      const index = item === RUN_ITEM ? 0 : Number(item.slice(1));
      return failing.has(`${index}:${i}`) ? boom() : undefined;
    },
    fingerprint: (ctx) => opts.version?.get(`${ctx.item}/${taskId(i)}`) ?? 0,
  }));
  const graph = defineGraph(specs.map((spec) => sleepTask(spec, clock, probe)));
  const keys = Array.from({ length: s.items }, (_, i) => itemKey(i));
  return { clock, probe, graph, keys };
}

/** Every node of the run: `<item>/<task>` for bottle-scoped tasks, `_run/<task>` once for run-scoped ones. */
function nodeOf(s: Scenario, item: string, task: number): string {
  return `${s.tasks[task]!.run ? RUN_ITEM : item}/${taskId(task)}`;
}

/** The node and all that depend on it, transitively, across items for a run-scoped node. */
function descendants(s: Scenario, keys: string[], root: string): Set<string> {
  const out = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const item of keys) {
      s.tasks.forEach((t, i) => {
        const self = nodeOf(s, item, i);
        if (!out.has(self) && t.needs.some((n) => out.has(nodeOf(s, item, n)))) {
          out.add(self);
          grew = true;
        }
      });
    }
  }
  return out;
}

describe(`engine properties (${RUNS} random graphs each)`, () => {
  it('runs every node after all its needs succeeded, at most once, within every limit', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { clock, probe, graph, keys } = build(s, { fail: true });
        const events: EngineEvent[] = [];
        await clock.run(
          runGraph(graph, {
            items: items(...keys),
            shared: { item: RUN_ITEM },
            clock,
            concurrency: s.concurrency,
            resources: { r: s.resourceLimit },
            onEvent: (e) => events.push(e),
          }),
        );
        const doneAt = new Map<string, number>();
        const started = new Set<string>();
        events.forEach((e, index) => {
          if (e.type === 'node-end' && e.status === 'done') doneAt.set(`${e.item}/${e.task}`, index);
          if (e.type !== 'node-start') return;
          const key = `${e.item}/${e.task}`;
          expect(started.has(key), `${key} started twice`).toBe(false);
          started.add(key);
          const i = Number(e.task.slice(1));
          for (const n of s.tasks[i]!.needs) {
            const need = nodeOf(s, e.item, n);
            expect(doneAt.get(need), `${key} started before its need ${need} was done`).toBeLessThan(index);
          }
        });
        expect(probe.peak).toBeLessThanOrEqual(s.concurrency);
        expect(probe.resources.get('r')?.peak ?? 0).toBeLessThanOrEqual(s.resourceLimit);
      }),
      { numRuns: RUNS },
    );
  });

  it('a failure blocks exactly its descendants; everything else is done', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { clock, graph, keys } = build(s, { fail: true });
        const result = await clock.run(
          runGraph(graph, { items: items(...keys), shared: { item: RUN_ITEM }, clock, concurrency: s.concurrency }),
        );
        // The expected status of each node, worked out independently in topological (index) order.
        const expected = new Map<string, string>();
        const failing = new Set(s.failures);
        for (const item of [RUN_ITEM, ...keys]) {
          s.tasks.forEach((t, i) => {
            if (t.run !== (item === RUN_ITEM)) return;
            const index = item === RUN_ITEM ? 0 : Number(item.slice(1));
            const needStatus = t.needs.map((n) => expected.get(nodeOf(s, item, n)));
            const status = needStatus.some((x) => x !== 'done') ? 'blocked' : failing.has(`${index}:${i}`) ? 'failed' : 'done';
            expected.set(`${item}/${taskId(i)}`, status);
          });
        }
        const actual = new Map([...result.nodes].map(([k, v]) => [k, v.status]));
        expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
      }),
      { numRuns: RUNS },
    );
  });

  it('a second run of an unchanged graph runs nothing', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { clock, probe, graph, keys } = build(s, { fail: false });
        const recorder = memoryRecorder();
        const options = { items: items(...keys), shared: { item: RUN_ITEM }, clock, recorder, concurrency: s.concurrency };
        const first = await clock.run(runGraph(graph, options));
        expect(first.status).toBe('ok');
        probe.calls.clear();
        const second = await clock.run(runGraph(graph, options));
        expect(probe.calls.size).toBe(0);
        expect(second.counts['up-to-date']).toBe(first.counts.done);
      }),
      { numRuns: RUNS },
    );
  });

  it('a changed fingerprint re-runs exactly that node and its descendants', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.nat(), fc.nat(), async (s, pickItem, pickTask) => {
        const version = new Map<string, number>();
        const { clock, probe, graph, keys } = build(s, { fail: false, version });
        const recorder = memoryRecorder();
        const options = { items: items(...keys), shared: { item: RUN_ITEM }, clock, recorder, concurrency: s.concurrency };
        await clock.run(runGraph(graph, options));
        const changed = nodeOf(s, keys[pickItem % keys.length]!, pickTask % s.tasks.length);
        version.set(changed, 1);
        probe.calls.clear();
        await clock.run(runGraph(graph, options));
        expect(new Set(probe.calls.keys())).toEqual(descendants(s, keys, changed));
      }),
      { numRuns: RUNS },
    );
  });

  it('a cancelled run starts nothing after the cancel and ends every node', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.integer({ min: 0, max: 60 }), async (s, cancelAt) => {
        const { clock, probe, graph, keys } = build(s, { fail: false });
        const ctl = new AbortController();
        let startsBeforeCancel = -1;
        clock.at(cancelAt, () => {
          startsBeforeCancel = probe.starts.length;
          ctl.abort();
        });
        const recorder = memoryRecorder();
        const result = await clock.run(
          runGraph(graph, { items: items(...keys), shared: { item: RUN_ITEM }, clock, recorder, signal: ctl.signal, concurrency: s.concurrency }),
        );
        if (ctl.signal.aborted) expect(probe.starts.slice(startsBeforeCancel)).toEqual([]);
        const total = keys.length * s.tasks.filter((t) => !t.run).length + s.tasks.filter((t) => t.run).length;
        expect(result.nodes.size).toBe(total);
        for (const record of recorder.records.values()) {
          for (const entry of Object.values(record.tasks)) expect(['done', 'cancelled']).toContain(entry.status);
        }
        if (ctl.signal.aborted) expect(result.status).toBe('cancelled');
      }),
      { numRuns: RUNS },
    );
  });
});
