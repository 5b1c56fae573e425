/**
 * Per task of the graph, how many of its nodes are in each status, from the
 * display model: what the batch display draws a line of, and what its ETA
 * counts. Pure; it draws nothing.
 *
 * A task's node count is known once an event names one of its nodes: 1 when
 * it is seen under `_run` (a run-scoped task, the images), else one per
 * bottle. Nodes not heard of yet are counted as waiting; a task not seen at
 * all has no count (it could run once, or once per bottle).
 */
import { RUN_ITEM, type Status } from '../engine/index.js';
import { emptyStatusCounts, type Model } from './tty-model.js';

export interface TaskCount {
  task: string;
  counts: Record<Status, number>;
  /** How many nodes the task has; undefined while none has been heard of. */
  expected?: number;
}

/** The bottles of the run: every item but `_run`. */
export function bottleCount(model: Model): number {
  let n = 0;
  for (const item of model.groups.keys()) if (item !== RUN_ITEM) n++;
  return n;
}

export function taskCounts(model: Model): TaskCount[] {
  const bottles = bottleCount(model);
  const byTask = new Map<string, TaskCount>(model.tasks.map((task) => [task, { task, counts: emptyStatusCounts() }]));
  const heard = new Map<string, number>();
  for (const group of model.groups.values()) {
    for (const row of group.rows.values()) {
      const entry = byTask.get(row.task);
      if (!entry) continue;
      entry.counts[row.status]++;
      heard.set(row.task, (heard.get(row.task) ?? 0) + 1);
      entry.expected = model.runTasks.has(row.task) ? 1 : bottles;
    }
  }
  for (const entry of byTask.values()) {
    if (entry.expected !== undefined) entry.counts.pending += Math.max(0, entry.expected - (heard.get(entry.task) ?? 0));
  }
  return [...byTask.values()];
}
