/**
 * Runs graph x items as one DAG of nodes. A node starts as soon as its needs
 * succeeded, within a global concurrency limit and named resource limits,
 * earlier items first, then the longest remaining path (nodes.ts). A failed node blocks its
 * descendants; everything else goes on unless fail-fast is set. It draws
 * nothing: it emits events and writes records through the injected recorder.
 */
import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import { runAttempts, type AttemptHost, type Outcome } from './attempts.js';
import { EngineError, toErrorInfo } from './errors.js';
import type { RunStatus } from './events.js';
import type { Graph } from './graph.js';
import { expandNodes, type Node } from './nodes.js';
import { checkExternalNeeds, effectiveFingerprint, loadPriors, outputHash, stillDone } from './priors.js';
import { normalizeOptions, type NormalOptions } from './normalize.js';
import type { NodeResult, RunOptions, RunResult } from './options.js';
import type { TaskRecord } from './recorder.js';
import { emptyCounts, isSuccess, type EndStatus } from './status.js';
import { noRecorder } from './recorder.js';

export async function runGraph<C>(graph: Graph<C>, options: RunOptions<C>): Promise<RunResult> {
  const opts = normalizeOptions(graph, options);
  const nodes = expandNodes(graph, opts);
  await loadPriors(nodes, opts);
  checkExternalNeeds(nodes);
  return new Scheduler(graph, nodes, opts).run();
}

class Scheduler<C> implements AttemptHost<Node<C>> {
  private readonly stopCtl = new AbortController();
  readonly stop = this.stopCtl.signal;
  readonly clock;
  readonly random;
  private readonly global: PQueue;
  private readonly resourceQueues = new Map<string, PQueue>();
  private readonly results = new Map<string, NodeResult>();
  private readonly counts = emptyCounts();
  /** Writes nobody awaits (running, retrying, blocked): awaited at the end of the run. */
  private readonly writes: Promise<void>[] = [];
  /** Record writes that failed; a run with any is `failed` (its records may be stale). */
  private readonly recordErrors: unknown[] = [];
  /** Running attempts to reject when the run stops. */
  private readonly stopWatchers = new Set<(reason: unknown) => void>();
  private ended = 0;
  /** False without a recorder: then no record is built or written at all. */
  private readonly recording: boolean;
  private cancelledByUser = false;
  private finish!: () => void;

  constructor(
    private readonly graph: Graph<C>,
    private readonly nodes: Node<C>[],
    private readonly opts: NormalOptions<C>,
  ) {
    this.clock = opts.clock;
    this.recording = opts.recorder !== noRecorder;
    this.random = opts.random;
    this.global = new PQueue({ concurrency: opts.concurrency });
    // Tasks hand the stop signal to their child processes: one listener each is expected.
    setMaxListeners(0, this.stopCtl.signal);
    this.stopCtl.signal.addEventListener('abort', () => {
      for (const watcher of [...this.stopWatchers]) watcher(this.stopCtl.signal.reason);
    });
    for (const [name, limit] of opts.resources) this.resourceQueues.set(name, new PQueue({ concurrency: limit }));
  }

  async run(): Promise<RunResult> {
    const { clock, signal } = this.opts;
    const onEvent = this.opts.onEvent ?? (() => {});
    const started = clock.now();
    const items = [...new Set(this.nodes.map((n) => n.item))];
    onEvent({ type: 'run-start', items, tasks: this.graph.tasks.map((t) => t.id) });
    const finished = new Promise<void>((resolve) => (this.finish = resolve));
    const onUserAbort = () => {
      this.cancelledByUser = true;
      this.stopCtl.abort(signal?.reason ?? new EngineError('CANCELLED', 'the run was cancelled'));
    };
    if (signal?.aborted) onUserAbort();
    else signal?.addEventListener('abort', onUserAbort, { once: true });
    if (this.nodes.length === 0) this.finish();
    this.enqueueAll(this.nodes.filter((n) => n.waiting === 0));
    await finished;
    signal?.removeEventListener('abort', onUserAbort);
    await Promise.all(this.writes);
    const failed = this.counts.failed > 0 || this.recordErrors.length > 0;
    const status: RunStatus = this.cancelledByUser ? 'cancelled' : failed ? 'failed' : 'ok';
    const durationMs = clock.now() - started;
    onEvent({ type: 'run-end', status, counts: { ...this.counts }, durationMs });
    const recordErrors = this.recordErrors.map(toErrorInfo);
    return { status, counts: { ...this.counts }, durationMs, nodes: this.results, recordErrors };
  }

  /** p-queue starts a job at once when a slot is free, so a batch goes in in priority order (nodes.ts). */
  private enqueueAll(ready: Node<C>[]): void {
    if (ready.length > 1) ready.sort((a, b) => b.priority - a.priority);
    for (const node of ready) if (!node.end) this.enqueue(node);
  }

  private enqueue(node: Node<C>): void {
    if (this.stopCtl.signal.aborted) {
      this.cancel(node);
      return;
    }
    const priority = node.priority;
    let job = () => this.global.add(() => this.execute(node), { priority });
    for (const name of [...(node.task.resources ?? [])].sort().reverse()) {
      const queue = this.resourceQueue(name, node.scope);
      if (!queue) continue;
      const inner = job;
      job = () => queue.add(inner, { priority });
    }
    // execute() settles every node itself; this only guards against a bug there.
    job().catch((error: unknown) => this.end(node, 'failed', failedEntry(error)));
  }

  /** A named limit's queue; within a scope, one of its own with the same limit, made on first use. */
  private resourceQueue(name: string, scope: string | undefined): PQueue | undefined {
    const limit = this.opts.resources.get(name);
    if (limit === undefined || scope === undefined || !this.opts.scopedResources.has(name)) return this.resourceQueues.get(name);
    const key = `${name}@${scope}`;
    if (!this.resourceQueues.has(key)) this.resourceQueues.set(key, new PQueue({ concurrency: limit }));
    return this.resourceQueues.get(key);
  }

  private async execute(node: Node<C>): Promise<void> {
    if (this.stopCtl.signal.aborted) {
      this.cancel(node);
      return;
    }
    node.started = true;
    const clock = this.clock;
    const began = (node.began = clock.now());
    // Wall time is for records only.
    const startedAt = (node.startedAt = this.recording ? new Date().toISOString() : '');
    // Fingerprints exist to be compared with records: without a recorder there is nothing to compare.
    if (this.recording) {
      try {
        const own = node.task.fingerprint?.(node.ctx) ?? null;
        node.fp = effectiveFingerprint(node, own instanceof Promise ? await own : own);
      } catch (error) {
        await this.conclude(node, { kind: 'failed', error, attempts: 0 }, began, startedAt);
        return;
      }
    }
    if (this.mayBeUpToDate(node) && (await stillDone(node, this.stopCtl.signal))) {
      const prior = node.prior!;
      node.output = prior.output;
      node.outHash = outputHash(prior.output);
      const entry: TaskRecord = { ...prior, status: 'up-to-date', attempts: 0, durationMs: clock.now() - began };
      delete entry.error;
      await this.settle(node, 'up-to-date', entry);
      return;
    }
    const needs: Record<string, unknown> = {};
    for (const n of node.needs) needs[n.task.id] = n.output;
    for (const n of node.external) needs[n.task.id] = n.output;
    const ran = new Set(node.needs.filter((n) => n.end === 'done').map((n) => n.task.id));
    const outcome = await runAttempts(node.task, node.ctx, needs, ran, node, this);
    await this.conclude(node, outcome, began, startedAt);
  }

  /** An arrow, so attempts can hand it on unbound. */
  readonly watchStop = (watcher: (reason: unknown) => void): (() => void) => {
    this.stopWatchers.add(watcher);
    return () => this.stopWatchers.delete(watcher);
  };

  onAttempt(node: Node<C>, attempt: number): void {
    this.opts.recorder.beginAttempt?.(node.item, node.task.id, attempt);
    this.opts.onEvent?.({ type: 'node-start', item: node.item, task: node.task.id, attempt });
    if (this.recording) this.writeLater(node, { status: 'running', attempts: attempt, startedAt: node.startedAt, durationMs: 0 });
  }

  onRetry(node: Node<C>, attempt: number, delayMs: number, error: unknown): void {
    const info = toErrorInfo(error);
    this.opts.onEvent?.({ type: 'node-retry', item: node.item, task: node.task.id, attempt, delayMs, error: info.message });
    const durationMs = this.clock.now() - node.began;
    this.writeLater(node, { status: 'retrying', attempts: attempt - 1, startedAt: node.startedAt, durationMs, error: info });
  }

  log(node: Node<C>, line: string): void {
    this.opts.recorder.log(node.item, node.task.id, line);
    this.opts.onEvent?.({ type: 'node-log', item: node.item, task: node.task.id, line });
  }

  /** Recorded as done with the same inputs, and not forced. */
  private mayBeUpToDate(node: Node<C>): boolean {
    const prior = node.prior;
    return !!prior && isSuccess(prior.status) && prior.fingerprint === node.fp && !this.opts.isForced(node.task.id);
  }

  /** Not async: without a recorder a node ends in the same tick its task returned. */
  private conclude(node: Node<C>, outcome: Outcome, began: number, startedAt: string): void | Promise<void> {
    const base = { attempts: outcome.attempts, ...(startedAt ? { startedAt } : {}), durationMs: this.opts.clock.now() - began };
    if (outcome.kind === 'done') {
      let output: unknown;
      try {
        output = jsonRoundTrip(outcome.output);
      } catch (error) {
        const bad = new EngineError('TASK_FAILED', `${node.task.id} returned an output that is not JSON-serialisable`, [], error);
        return this.conclude(node, { kind: 'failed', error: bad, attempts: outcome.attempts }, began, startedAt);
      }
      node.output = output;
      if (this.recording) node.outHash = outputHash(output);
      return this.settle(node, 'done', { status: 'done', ...base, ...(node.fp ? { fingerprint: node.fp } : {}), output });
    }
    const status = outcome.kind;
    return this.settle(node, status, { status, ...base, error: toErrorInfo(outcome.error) });
  }

  /**
   * Records a node's end, then ends it. Dependents start only once a success
   * is durable; a success that cannot be recorded is a failure (a later run
   * would not know of it).
   */
  private settle(node: Node<C>, status: EndStatus, entry: TaskRecord): void | Promise<void> {
    if (!this.recording) return this.end(node, status, entry);
    return this.settleRecorded(node, status, entry);
  }

  private async settleRecorded(node: Node<C>, status: EndStatus, entry: TaskRecord): Promise<void> {
    try {
      await this.opts.recorder.update(node.item, node.task.id, entry);
    } catch (error) {
      this.recordErrors.push(error);
      if (isSuccess(status)) {
        const why = new EngineError('RECORD_FAILED', `could not record ${node.key}: ${toErrorInfo(error).message}`, [], error);
        this.end(node, 'failed', { ...entry, status: 'failed', error: toErrorInfo(why) });
        return;
      }
    }
    this.end(node, status, entry);
  }

  private writeLater(node: Node<C>, entry: TaskRecord): void {
    if (!this.recording) return;
    const write = this.opts.recorder.update(node.item, node.task.id, entry);
    // Handled at once, so a failed write is counted, never an unhandled rejection.
    this.writes.push(write.catch((error: unknown) => void this.recordErrors.push(error)));
  }

  /** Ends a node that never started (cancelled before its turn, or blocked by a need). */
  private cancel(node: Node<C>, status: 'cancelled' | 'blocked' = 'cancelled'): void {
    if (node.end) return;
    const entry: TaskRecord = { status, attempts: 0, durationMs: 0 };
    this.writeLater(node, entry);
    this.end(node, status, entry);
  }

  private end(node: Node<C>, status: EndStatus, entry: TaskRecord): void {
    if (node.end) return;
    node.end = status;
    this.counts[status]++;
    this.results.set(node.key, { item: node.item, task: node.task.id, status, record: entry });
    this.opts.onEvent?.({
      type: 'node-end',
      item: node.item,
      task: node.task.id,
      status,
      attempts: entry.attempts,
      durationMs: entry.durationMs,
      ...(entry.error ? { error: entry.error.message } : {}),
    });
    if (isSuccess(status)) {
      let ready: Node<C>[] | undefined;
      for (const d of node.dependents) if (--d.waiting === 0) (ready ??= []).push(d);
      if (ready) this.enqueueAll(ready);
    } else if (status === 'failed' || status === 'blocked') {
      if (status === 'failed' && this.opts.failFast && !this.stopCtl.signal.aborted) {
        this.stopCtl.abort(new EngineError('CANCELLED', `stopped after ${node.key} failed (fail-fast)`));
      }
      for (const d of node.dependents) this.cancel(d, 'blocked');
    } else {
      for (const d of node.dependents) this.cancel(d, 'cancelled');
    }
    if (++this.ended === this.nodes.length) this.finish();
  }
}

function failedEntry(error: unknown): TaskRecord {
  return { status: 'failed', attempts: 0, durationMs: 0, error: toErrorInfo(error) };
}

function jsonRoundTrip(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

