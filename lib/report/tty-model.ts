/**
 * What the terminal display knows of a run, built from engine events alone:
 * one group per item (`_run` holds the run-scoped tasks: the images), one row
 * per node once an event names it. Plain data and a reducer over events, on
 * a clock the caller passes in; it draws nothing and knows nothing of listr2.
 *
 * run-start names the items and every task id, but not which tasks are
 * run-scoped: a task id seen under `_run` is. So a bottle expects
 * `tasks - run tasks seen` nodes, a bound that only shrinks: a bottle is
 * finished when that many of its nodes ended (or at run-end), never before.
 */
import { type EngineEvent, RUN_ITEM, END_STATUSES, type EndStatus, type Status } from '../engine/index.js';

export interface Row {
  item: string;
  task: string;
  status: Status;
  /** The attempt running, or the one a retry waits for; 0 for a node that never ran. */
  attempt: number;
  /** On the reporter's clock: first attempt, current attempt, end. */
  startedAt?: number;
  attemptAt?: number;
  endedAt?: number;
  /** What the engine measured, once the node ended. */
  durationMs?: number;
  /** Why it failed, or why the last attempt failed while it retries. */
  error?: string;
  /** When the next attempt is due, while retrying. */
  retryAt?: number;
  /** The last line the task logged. */
  lastLine?: string;
}

export interface Group {
  item: string;
  rows: Map<string, Row>;
  /** On the reporter's clock; set once the group is finished. */
  endedAt?: number;
}

export interface Model {
  /** Every task id of the graph, in its order. */
  tasks: readonly string[];
  groups: Map<string, Group>;
  /** Task ids seen under `_run`. */
  runTasks: Set<string>;
  startedAt: number;
  over: boolean;
}

/** What an event changed: rows to redraw, groups whose title changed, groups that just finished. */
export interface Change {
  rows: Row[];
  groups: Group[];
  finished: Group[];
}

export function emptyModel(): Model {
  return { tasks: [], groups: new Map(), runTasks: new Set(), startedAt: 0, over: false };
}

export function isEnd(status: Status): status is EndStatus {
  return (END_STATUSES as readonly Status[]).includes(status);
}

export function applyEvent(model: Model, event: EngineEvent, now: number): Change {
  const change: Change = { rows: [], groups: [], finished: [] };
  switch (event.type) {
    case 'run-start':
      model.tasks = event.tasks;
      model.startedAt = now;
      // The images first: bottles wait on them.
      for (const item of [...event.items].sort((a, b) => Number(b === RUN_ITEM) - Number(a === RUN_ITEM))) groupOf(model, item);
      return change;
    case 'run-end':
      model.over = true;
      for (const group of model.groups.values()) finishIfDone(model, group, now, change);
      return change;
    default:
      break;
  }
  const { row, group, newRunTask } = rowOf(model, event.item, event.task);
  switch (event.type) {
    case 'node-start':
      row.status = 'running';
      row.attempt = event.attempt;
      row.startedAt ??= now;
      row.attemptAt = now;
      delete row.retryAt;
      break;
    case 'node-retry':
      row.status = 'retrying';
      row.attempt = event.attempt;
      row.error = event.error;
      row.retryAt = now + event.delayMs;
      break;
    case 'node-log':
      row.lastLine = event.line;
      break;
    case 'node-end':
      row.status = event.status;
      row.attempt = event.attempts;
      row.endedAt = now;
      row.durationMs = event.durationMs;
      delete row.retryAt;
      if (event.error === undefined) delete row.error;
      else row.error = event.error;
      break;
  }
  change.rows.push(row);
  change.groups.push(group);
  finishIfDone(model, group, now, change);
  // A newly seen run task lowers what every bottle expects.
  if (newRunTask) for (const g of model.groups.values()) if (g !== group) finishIfDone(model, g, now, change);
  return change;
}

/** Nodes of the group that have ended. */
export function endedCount(group: Group): number {
  let n = 0;
  for (const row of group.rows.values()) if (isEnd(row.status)) n++;
  return n;
}

/** When the group's last node ended (the images end with the run, their last image earlier). */
export function lastEnd(group: Group): number {
  let last: number | undefined;
  for (const row of group.rows.values()) if (row.endedAt !== undefined) last = Math.max(last ?? row.endedAt, row.endedAt);
  return last ?? group.endedAt ?? 0;
}

/** A count of 0 for every status. */
export function emptyStatusCounts(): Record<Status, number> {
  return { pending: 0, running: 0, retrying: 0, done: 0, 'up-to-date': 0, failed: 0, blocked: 0, cancelled: 0 };
}

/** Rows per status, over the rows heard of. */
export function countRows(group: Group): Record<Status, number> {
  const counts = emptyStatusCounts();
  for (const row of group.rows.values()) counts[row.status]++;
  return counts;
}

function groupOf(model: Model, item: string): Group {
  let group = model.groups.get(item);
  if (!group) model.groups.set(item, (group = { item, rows: new Map() }));
  return group;
}

function rowOf(model: Model, item: string, task: string): { row: Row; group: Group; newRunTask: boolean } {
  const group = groupOf(model, item);
  let row = group.rows.get(task);
  if (!row) group.rows.set(task, (row = { item, task, status: 'pending', attempt: 0 }));
  const newRunTask = item === RUN_ITEM && !model.runTasks.has(task);
  if (newRunTask) model.runTasks.add(task);
  return { row, group, newRunTask };
}

function finishIfDone(model: Model, group: Group, now: number, change: Change): void {
  if (group.endedAt !== undefined) return;
  const expected = group.item === RUN_ITEM ? Infinity : model.tasks.length - model.runTasks.size;
  if (!model.over && endedCount(group) < expected) return;
  group.endedAt = now;
  change.finished.push(group);
}
