/**
 * What a run of the engine is given. Side effects (clock, randomness, records,
 * events) are injected with real defaults; lib/engine/normalize.ts turns this
 * into the trusted form the scheduler reads.
 */
import type { Clock } from './clock.js';
import type { EventSink, RunStatus } from './events.js';
import type { Recorder, TaskRecord } from './recorder.js';
import type { ErrorInfo } from './errors.js';
import type { EndStatus } from './status.js';

export interface Item<C> {
  /** Unique, stable key (a bottle's slug). */
  key: string;
  ctx: C;
  /**
   * Where its work is done (a bottle's host): each named resource limit is
   * counted per scope, so items of one scope never hold back another's.
   * None: the run's one count.
   */
  scope?: string;
}

/** The key under which run-scoped nodes are recorded and reported. */
export const RUN_ITEM = '_run';

export interface Target {
  item: string;
  task: string;
  /** Also run (or confirm up to date) every task it needs, transitively. */
  withDeps?: boolean;
}

export interface RunOptions<C> {
  items: readonly Item<C>[];
  /** Context handed to run-scoped tasks. Required when the graph has any. */
  shared?: C;
  /** Most nodes running at once. Default 4. */
  concurrency?: number;
  /** Named resource limits, e.g. `{ 'docker-run': 2 }`. */
  resources?: Readonly<Record<string, number>>;
  /** The named limits counted per item scope (`Item.scope`: a host's engine work), each scope with the full limit; the others count the whole run. */
  scopedResources?: readonly string[];
  recorder?: Recorder;
  clock?: Clock;
  /** In [0, 1); drives retry jitter. */
  random?: () => number;
  /** Aborting it cancels the run: nothing more starts, running nodes are aborted. */
  signal?: AbortSignal;
  /** Stop everything at the first failure. */
  failFast?: boolean;
  /** Run these tasks (or all, with `true`) even when up to date. */
  force?: boolean | readonly string[];
  /** Run only this node (and with `withDeps`, its needs). */
  target?: Target;
  onEvent?: EventSink;
}

export interface NodeResult {
  item: string;
  task: string;
  status: EndStatus;
  /** In a dry run: `done` means "would run". */
  record: TaskRecord;
}

export interface RunResult {
  status: RunStatus;
  counts: Record<EndStatus, number>;
  durationMs: number;
  /** Keyed `<item>/<task>`. */
  nodes: Map<string, NodeResult>;
  /** Record writes that failed (the run is then `failed`: its records may be stale). */
  recordErrors: ErrorInfo[];
}
