/**
 * How long the rest of a run may take, estimated from the run so far (the
 * display model, on the reporter's clock):
 *
 *   remaining work = for each task, its nodes that have not ended times the
 *                    mean time of its nodes that ended after running (done,
 *                    failed, up to date), or, while it has none, the mean
 *                    over all such nodes; less what its running nodes have
 *                    run already (never below zero for a node);
 *   parallelism    = node-time spent in the last WINDOW_MS of the run,
 *                    divided by that window's length (at least 1);
 *   ETA            = remaining work / parallelism.
 *
 * Means per task, because tasks differ (a machine start takes seconds, a
 * prompt copy milliseconds) and a run ends its early tasks first, so one
 * mean over the nodes ended so far would lean toward them. Parallelism over
 * a recent window, because a run's width changes: images build one at a
 * time, then bottles run `-j` at once.
 *
 * Undefined while no node has ended after running: nothing to go on. Never
 * negative. It does not foresee which nodes a failure will block (they count
 * as work until they are), nor that a task runs once per run before one of
 * its nodes is seen (until then it counts once per bottle).
 */
import type { Status } from '../engine/index.js';
import { bottleCount, taskCounts } from './task-counts.js';
import type { Model, Row } from './tty-model.js';

export const WINDOW_MS = 30_000;

/** Ended after running (or found up to date): a duration to learn from. */
const MEASURED: Record<Status, boolean> = {
  pending: false,
  running: false,
  retrying: false,
  done: true,
  'up-to-date': true,
  failed: true,
  blocked: false,
  cancelled: false,
};

/** Milliseconds the rest of the run may take, or undefined when there is no data yet. */
export function estimateRemainingMs(model: Model, now: number): number | undefined {
  const rows = [...model.groups.values()].flatMap((g) => [...g.rows.values()]);
  const perTask = new Map<string, { sum: number; n: number }>();
  let sum = 0;
  let n = 0;
  for (const row of rows) {
    if (!MEASURED[row.status] || row.durationMs === undefined) continue;
    const mean = perTask.get(row.task) ?? { sum: 0, n: 0 };
    mean.sum += row.durationMs;
    mean.n++;
    perTask.set(row.task, mean);
    sum += row.durationMs;
    n++;
  }
  if (n === 0) return undefined;
  const meanOf = (task: string) => {
    const m = perTask.get(task);
    return m ? m.sum / m.n : sum / n;
  };

  let work = 0;
  const bottles = bottleCount(model);
  for (const { task, counts, expected } of taskCounts(model)) {
    const ended = counts.done + counts['up-to-date'] + counts.failed + counts.blocked + counts.cancelled;
    work += Math.max(0, (expected ?? bottles) - ended) * meanOf(task);
  }
  for (const row of rows) if (isMoving(row)) work -= Math.min(meanOf(row.task), now - (row.startedAt ?? now));

  return Math.max(0, work) / parallelism(rows, model.startedAt, now);
}

/** Nodes at work, on average, over the last WINDOW_MS (or the run so far, when shorter); at least 1. */
function parallelism(rows: readonly Row[], startedAt: number, now: number): number {
  const from = Math.max(startedAt, now - WINDOW_MS);
  if (now <= from) return 1;
  let busy = 0;
  for (const row of rows) {
    if (row.startedAt === undefined) continue;
    const end = row.endedAt ?? (isMoving(row) ? now : row.startedAt);
    busy += Math.max(0, Math.min(end, now) - Math.max(row.startedAt, from));
  }
  return Math.max(1, busy / (now - from));
}

function isMoving(row: Row): boolean {
  return row.status === 'running' || row.status === 'retrying';
}
