/**
 * Checks a run's options against its graph once, at the door, and fills in the
 * defaults; the scheduler then trusts what it is given.
 */
import { realClock, type Clock } from './clock.js';
import { EngineError } from './errors.js';
import type { EventSink } from './events.js';
import type { Graph } from './graph.js';
import { RUN_ITEM, type Item, type RunOptions, type Target } from './options.js';
import { noRecorder, type Recorder } from './recorder.js';

export interface NormalOptions<C> {
  items: readonly Item<C>[];
  shared: C | undefined;
  concurrency: number;
  resources: ReadonlyMap<string, number>;
  scopedResources: ReadonlySet<string>;
  recorder: Recorder;
  clock: Clock;
  random: () => number;
  signal: AbortSignal | undefined;
  failFast: boolean;
  isForced: (task: string) => boolean;
  target: Target | undefined;
  /** Undefined when nobody listens: then no event object is even built. */
  onEvent: EventSink | undefined;
}

export function normalizeOptions<C>(graph: Graph<C>, options: RunOptions<C>): NormalOptions<C> {
  const bad = (message: string) => new EngineError('BAD_OPTIONS', message);
  const concurrency = options.concurrency ?? 4;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw bad(`concurrency must be a whole number >= 1, got ${String(concurrency)} (${typeof concurrency})`);
  }
  const resources = new Map<string, number>();
  for (const [name, limit] of Object.entries(options.resources ?? {})) {
    if (!(Number.isInteger(limit) && limit >= 1)) {
      throw bad(`resource limit "${name}" must be a whole number >= 1, got ${String(limit)} (${typeof limit})`);
    }
    resources.set(name, limit);
  }
  const seen = new Set<string>();
  for (const item of options.items) {
    if (item.key === RUN_ITEM) throw bad(`item key "${RUN_ITEM}" is reserved for run-scoped tasks; choose another key`);
    if (seen.has(item.key)) throw bad(`item key "${item.key}" appears more than once; item keys must be unique`);
    seen.add(item.key);
  }
  if (options.shared === undefined && graph.tasks.some((t) => t.scope === 'run')) {
    const ids = graph.tasks.filter((t) => t.scope === 'run').map((t) => t.id);
    throw bad(`the graph has run-scoped tasks (${ids.join(', ')}) but no shared context was given; pass options.shared`);
  }
  const target = options.target;
  if (target) checkTarget(graph, [...seen], target);
  const force = options.force ?? false;
  const forced = new Set(Array.isArray(force) ? force : []);
  return {
    items: options.items,
    shared: options.shared,
    concurrency,
    resources,
    scopedResources: new Set(options.scopedResources ?? []),
    recorder: options.recorder ?? noRecorder,
    clock: options.clock ?? realClock,
    random: options.random ?? Math.random,
    signal: options.signal,
    failFast: options.failFast ?? false,
    isForced: force === true ? () => true : (task) => forced.has(task),
    target,
    onEvent: options.onEvent,
  };
}

function checkTarget<C>(graph: Graph<C>, items: string[], target: Target): void {
  const task = graph.byId.get(target.task);
  if (!task) {
    throw new EngineError(
      'UNKNOWN_TARGET',
      `there is no task "${target.task}"; tasks: ${graph.tasks.map((t) => t.id).join(', ')}`,
    );
  }
  const validItems = task.scope === 'run' ? [RUN_ITEM] : items;
  if (!validItems.includes(target.item)) {
    throw new EngineError(
      'UNKNOWN_TARGET',
      `there is no ${task.scope === 'run' ? 'run-scoped ' : ''}item "${target.item}" for task "${target.task}"; items: ${validItems.join(', ') || '(none)'}`,
    );
  }
}
