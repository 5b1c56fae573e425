/**
 * Runs a graph over bottles the way every command does: the bottles' locks
 * held for the whole run (two runs on one bottle never interleave), records in
 * the state root, events to the chosen reporter.
 */
import { type Graph, runGraph, type RunOptions, type RunResult, noRecorder } from '../lib/engine/index.js';
import { acquireLocks, releaseLocks } from '../lib/state/lock.js';
import { createRecordStore } from '../lib/state/record-store.js';
import { ensureDir } from '../lib/state/root.js';
import { runDir } from '../lib/state/layout.js';
import type { BottleCtx, RunEnv } from '../tasks/context.js';
import type { Session } from './session.js';
import { limitsOf, positiveInt } from './parse.js';
import { DEFAULT_CONCURRENCY, type LimitName } from '../lib/limits/names.js';

export interface LockedRunOptions extends Pick<RunOptions<RunEnv>, 'signal' | 'failFast' | 'force' | 'target' | 'onEvent'> {
  /** Keep records (up); down runs without. */
  record: boolean;
  /** `-j` and `--limit` (runLimits); the session's limits (the manifest's, or the defaults) where not given. */
  limits: RunLimits;
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
  const locks = await acquireLocks(dirs, { owner: 'bottle' });
  const recorder = options.record ? createRecordStore(session.stateRoot) : noRecorder;
  try {
    const items = itemsOf(session);
    const { record: _record, limits, ...rest } = options;
    return await runGraph(graph, {
      ...rest,
      concurrency: limits.concurrency,
      resources: { ...session.limits, ...limits.resources },
      items,
      shared: session.runEnv,
      recorder,
    });
  } finally {
    await recorder.close?.();
    await releaseLocks(locks);
  }
}

/** The engine's items: one per planned bottle, its context the run env plus its plan. */
export function itemsOf(session: Session) {
  return session.planned.map((p) => ({
    key: p.plan.slug,
    ctx: { ...session.runEnv, plan: p.plan, prompt: p.prompt, guestEnv: p.guestEnv, credentialValues: p.credentialValues ?? [] } satisfies BottleCtx,
  }));
}
