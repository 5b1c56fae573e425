/**
 * Runs a graph over bottles the way every command does: the bottles' locks
 * held for the whole run (two runs on one bottle never interleave), records in
 * the state root, events to the chosen reporter.
 */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { findTempFiles } from '../lib/doctor/temp-files.js';
import { type EventSink, type Graph, runGraph, type RunOptions, type RunResult, noRecorder, RUN_ITEM } from '../lib/engine/index.js';
import { acquireLocks, releaseLocks, type Lock } from '../lib/state/lock.js';
import { createRecordStore } from '../lib/state/record-store.js';
import { redactedRecorder, redactedSink, redactor } from '../lib/report/redact.js';
import { ensureDir } from '../lib/state/root.js';
import { runDir } from '../lib/state/layout.js';
import type { BottleCtx, RunEnv } from '../tasks/context.js';
import type { Session } from './session.js';
import { limitsOf, positiveInt } from './parse.js';
import { BACKEND_CALLS, DEFAULT_CONCURRENCY, type LimitName } from '../lib/limits/names.js';
import { watchHosts } from '../lib/hosts/host-watch.js';
import { isRemote } from '../lib/hosts/backend-of-plan.js';
import { endpointOfManifestHost } from '../lib/hosts/host-endpoints.js';
import type { Endpoint } from '../lib/docker/endpoint.js';
import { guardedByHosts } from '../tasks/host-guard.js';

export interface LockedRunOptions extends Pick<RunOptions<RunEnv>, 'signal' | 'failFast' | 'force' | 'target' | 'onEvent'> {
  /** Keep records (up); down runs without. */
  record: boolean;
  /** `-j` and `--limit` (runLimits); the session's limits (the manifest's, or the defaults) where not given. */
  limits: RunLimits;
  /** How the locks are taken (lockWaitOf). */
  locking: Locking;
  /** Work that needs the bottles' locks and must end before the graph starts. */
  beforeRun?: () => Promise<void>;
}

export interface Locking {
  /** The command, as whoever finds a lock taken is told (`bottle up demo`). */
  command: string;
  /** Wait for another run's lock (the default) or fail at once (--no-wait, exit 1). */
  wait: boolean;
  /** Told who is waited for. */
  onWait: (message: string) => void;
}

/** --no-wait of RUN_OPTIONS, the command line and where the wait is said. */
export function lockingOf(command: string, args: readonly string[], values: { 'no-wait'?: boolean | undefined }, say: (line: string) => void): Locking {
  return { command: ['bottle', command, ...args].join(' ').slice(0, 200), wait: !(values['no-wait'] ?? false), onWait: (message) => say(`bottle: ${message}\n`) };
}

export interface RunLimits {
  concurrency: number;
  resources: Partial<Record<LimitName, number>>;
}

/** `-j` and `--limit` of RUN_OPTIONS, checked: a command reads them before it does anything else. */
export function runLimits(values: { concurrency?: string | undefined; limit?: string[] | undefined }): RunLimits {
  return { concurrency: positiveInt('--concurrency', values.concurrency) ?? DEFAULT_CONCURRENCY, resources: limitsOf(values.limit) };
}

export async function runLocked(session: Session, graph: Graph<RunEnv>, options: LockedRunOptions): Promise<RunResult> {
  await ensureDir(session.stateRoot);
  const dirs = session.planned.map((p) => p.plan.stateDir);
  const hasRunTasks = graph.tasks.some((t) => t.scope === 'run');
  if (hasRunTasks) dirs.push(runDir(session.stateRoot));
  const { locking } = options;
  const locks = await acquireLocks(dirs, {
    owner: locking.command,
    ...(locking.wait ? { wait: { ...(options.signal ? { signal: options.signal } : {}), onWait: locking.onWait } } : {}),
  });
  await removeLeftovers(session.stateRoot, dirs);
  try {
    await options.beforeRun?.();
  } catch (error) {
    await releaseLocks(locks);
    throw error;
  }
  const redact = redactor(session.planned.flatMap((p) => p.secrets ?? []));
  const store = options.record ? redactedRecorder(createRecordStore(session.stateRoot), redact) : undefined;
  const recorder = store ?? noRecorder;
  const watch = watchHosts(remoteHosts(session));
  try {
    const items = itemsOf(session);
    const { record: _record, limits, locking: _locking, beforeRun: _beforeRun, ...rest } = options;
    const runLock = hasRunTasks && !options.target ? locks.find((lock) => lock.path === join(runDir(session.stateRoot), 'lock')) : undefined;
    const sink = options.onEvent ? redactedSink(options.onEvent, redact) : undefined;
    const onEvent = runLock ? releasedWhenRunTasksEnd(graph, runLock, async () => store?.flush(), sink) : sink;
    return await runGraph(guardedByHosts(graph, watch), {
      ...rest,
      ...(onEvent ? { onEvent } : {}),
      concurrency: limits.concurrency,
      resources: { ...session.limits, ...limits.resources },
      // An engine's work is counted per host: a slow host never holds back another's bottles.
      scopedResources: [BACKEND_CALLS],
      items,
      shared: session.runEnv,
      recorder,
    });
  } finally {
    watch.stop();
    await recorder.close?.();
    await releaseLocks(locks);
  }
}

/**
 * What a killed run left half-written in the directories this run now holds
 * (temp files of atomic writes, scratch directories): no one else can be
 * writing them, so they go before anything runs.
 */
async function removeLeftovers(root: string, held: readonly string[]): Promise<void> {
  const ours = new Set(held.map((dir) => resolve(dir)));
  const found = findTempFiles(root, { now: Date.now(), minAgeMs: 0, isHeld: (dir) => !ours.has(resolve(dir)) });
  const paths = found.flatMap((f) => (f.repair?.type === 'remove-path' ? [f.repair.path] : []));
  await Promise.all(paths.map((path) => rm(path, { recursive: true, force: true })));
}

/**
 * The run-scoped tasks (the images) are shared by every run: their lock is
 * let go as soon as the last of them ended and its record is written, so a
 * run on other bottles waits only for the images, not for this whole run.
 */
function releasedWhenRunTasksEnd(graph: Graph<RunEnv>, lock: Lock, flush: () => Promise<void>, onEvent: EventSink | undefined): EventSink {
  const left = new Set(graph.tasks.filter((t) => t.scope === 'run').map((t) => t.id));
  return (event) => {
    onEvent?.(event);
    if (event.type !== 'node-end' || event.item !== RUN_ITEM || !left.delete(event.task) || left.size > 0) return;
    void (async () => {
      await flush();
      await lock.release();
    })().catch(() => undefined);
  };
}

/** The engine's items: one per planned bottle, its context the run env plus its plan. */
export function itemsOf(session: Session) {
  return session.planned.map((p) => ({
    key: p.plan.slug,
    ...(p.plan.host && { scope: p.plan.host.name }),
    ctx: { ...session.runEnv, plan: p.plan, prompt: p.prompt, guestEnv: p.guestEnv, credentialValues: p.credentialValues ?? [] } satisfies BottleCtx,
  }));
}

/** The engines of the run's bottles other than the process's, by host name: those watched while it runs. */
function remoteHosts(session: Session): Map<string, Endpoint> {
  const out = new Map<string, Endpoint>();
  for (const { plan } of session.planned) {
    if (!isRemote(plan.host) || out.has(plan.host.name)) continue;
    try {
      out.set(plan.host.name, endpointOfManifestHost(plan.host, process.env));
    } catch {
      // Its tasks say why when they ask for its backend.
    }
  }
  return out;
}
