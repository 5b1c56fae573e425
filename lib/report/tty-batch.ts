/**
 * The terminal display of a batch: what `bottle up` draws when the bottles do
 * not fit the terminal's height as a line each (`bottle up -n 100`). One
 * frame, never taller than `maxLines` nor wider than the terminal:
 *
 *   a header       bottles ready of all, failed, time so far, an ETA (eta.ts)
 *   task lines     under a heading of status words, per task of the graph
 *                  its nodes by status (task-counts.ts)
 *   a failure line how many nodes failed and which, once any did
 *   moving rows    the nodes running or retrying now, longest first, as many
 *                  as fit, then "… and N more running"
 *
 * Task lines come first: they are the run at a glance, and with every task
 * on screen the frame keeps its shape. A pure function of the model and a
 * clock value; tty.ts decides when to use it and draws it. It never prints a
 * failure's reason: the recap lists each failure once, at the end.
 */
import { RUN_ITEM, type Status } from '../engine/index.js';
import { durationText } from './duration-text.js';
import { estimateRemainingMs } from './eta.js';
import { fit } from './fit.js';
import { STATUS_WORD } from './status-words.js';
import { bottleCount, taskCounts, type TaskCount } from './task-counts.js';
import { groupName, LOOK, rowDetail, type Paint } from './tty-look.js';
import type { Model, Row } from './tty-model.js';

export interface BatchLayout {
  maxLines: number;
  columns: number;
  paint: Paint;
  /** What a running node shows for an icon in this frame: the spinner's. */
  spinner: string;
}

/**
 * Room kept for running rows when deciding up front: `bottle up`'s default
 * `-j`. Past that tty.ts still switches as soon as a frame would not fit.
 */
const MOVING_ROOM = 4;

/** Whether to start in batch mode: a line per bottle, and a few running rows, would not fit. */
export function isBatch(model: Model, maxLines: number): boolean {
  return model.groups.size + MOVING_ROOM > maxLines;
}

/** A column of the task lines. */
type Column = Exclude<Status, 'retrying'>;

/** Which column counts each status: a node waiting to retry is still at work, so it counts as running (its row says it retries). */
const COLUMN_OF: Record<Status, Column> = {
  pending: 'pending',
  running: 'running',
  retrying: 'running',
  done: 'done',
  'up-to-date': 'up-to-date',
  failed: 'failed',
  blocked: 'blocked',
  cancelled: 'cancelled',
};

/** The columns in order (ended well, moving, waiting, ended badly), and whether one is drawn from the start, so the columns do not move as the run gets going. */
const COLUMNS: readonly { column: Column; always: boolean }[] = [
  { column: 'done', always: true },
  { column: 'up-to-date', always: false },
  { column: 'running', always: true },
  { column: 'pending', always: true },
  { column: 'failed', always: false },
  { column: 'blocked', always: false },
  { column: 'cancelled', always: false },
];

export function batchFrame(model: Model, now: number, layout: BatchLayout): string[] {
  const { maxLines, paint } = layout;
  const width = Math.max(12, layout.columns - 1);
  const counts = taskCounts(model);
  const taskWidth = Math.min(24, Math.max(0, ...model.tasks.map((t) => t.length)));
  const moving = movingRows(model);
  const failure = failureLine(model, paint);
  const fixed = 1 + (failure ? 1 : 0);
  const tasks = taskLines(counts, taskWidth, maxLines - fixed - (moving.length > 0 ? 1 : 0), bottleCount(model), layout);
  const room = maxLines - fixed - tasks.length;
  const nameWidth = Math.max(0, ...[...model.groups.keys()].map((item) => groupName(item).length));
  const shown = moving.length <= room ? moving : moving.slice(0, Math.max(0, room - 1));
  const rows = shown.map((row) => movingLine(row, now, nameWidth, taskWidth, layout));
  if (shown.length < moving.length) rows.push(paint('dim', `  … and ${moving.length - shown.length} more running`));
  return [header(model, now, paint), ...tasks, ...(failure ? [failure] : []), ...rows].slice(0, Math.max(0, maxLines)).map((line) => fit(line, width));
}

/** Bottles by how they stand: ready (ended, all well), failed (a task failed, ended or not), blocked or cancelled (ended so). */
export interface BottleTally {
  total: number;
  ready: number;
  failed: number;
  blocked: number;
  cancelled: number;
}

export function bottleTally(model: Model): BottleTally {
  const tally: BottleTally = { total: 0, ready: 0, failed: 0, blocked: 0, cancelled: 0 };
  for (const group of model.groups.values()) {
    if (group.item === RUN_ITEM) continue;
    tally.total++;
    const has = (status: Status) => [...group.rows.values()].some((r) => r.status === status);
    if (has('failed')) tally.failed++;
    else if (group.endedAt === undefined) continue;
    else if (has('cancelled')) tally.cancelled++;
    else if (has('blocked')) tally.blocked++;
    else tally.ready++;
  }
  return tally;
}

/** e.g. `42/100 bottles ready · 1 failed · elapsed 1m12s · ETA 1m40s`; once over, the counts alone. */
function header(model: Model, now: number, paint: Paint): string {
  const t = bottleTally(model);
  const parts = [paint('bold', `${t.ready}/${t.total} bottles ready`), paint(t.failed > 0 ? 'red' : 'dim', `${t.failed} failed`)];
  if (t.blocked > 0) parts.push(paint(LOOK.blocked.colour, `${t.blocked} blocked`));
  if (t.cancelled > 0) parts.push(paint(LOOK.cancelled.colour, `${t.cancelled} cancelled`));
  // Once over, the recap below says how long the run took.
  if (!model.over) {
    const eta = estimateRemainingMs(model, now);
    // Rounded up: "ETA 0s" only once nothing is left.
    parts.push(`elapsed ${durationText(now - model.startedAt)}`, `ETA ${eta === undefined ? '--' : durationText(Math.ceil(eta / 1000) * 1000)}`);
  }
  return parts.join(paint('dim', ' · '));
}

/**
 * A heading of status words, then one line per task: its counts in columns,
 * `✔  97` under `done`. A column is drawn once any task has a count in it
 * (done, running and waiting always), so columns are only ever added. When
 * the tasks do not all fit in `room` lines (a very short terminal), the ones
 * with something moving, failed or part-done are kept, the rest are one line.
 */
function taskLines(counts: TaskCount[], taskWidth: number, room: number, bottles: number, layout: BatchLayout): string[] {
  const { paint } = layout;
  const digits = String(Math.max(1, bottles)).length;
  const columns = COLUMNS.filter(({ column, always }) => always || counts.some((c) => countIn(c, column) > 0)).map(({ column }) => ({
    column,
    width: Math.max(STATUS_WORD[column].length, 2 + digits),
  }));
  const heading = paint('dim', `  ${''.padEnd(taskWidth)}  ${columns.map(({ column, width }) => STATUS_WORD[column].padStart(width)).join('  ')}`);
  const line = (c: TaskCount) => `  ${c.task.padEnd(taskWidth)}  ${columns.map(({ column, width }) => cell(c, column, digits, width, layout)).join('  ')}`.trimEnd();
  if (counts.length + 1 <= room) return [heading, ...counts.map(line)];
  const keep = Math.max(0, room - 2);
  const ranked = counts.map((c, i) => ({ c, i, busy: isBusy(c) })).sort((a, b) => Number(b.busy) - Number(a.busy) || a.i - b.i);
  const kept = ranked.slice(0, keep).sort((a, b) => a.i - b.i);
  return [heading, ...kept.map(({ c }) => line(c)), paint('dim', `  … and ${counts.length - kept.length} more tasks`)];
}

function countIn(c: TaskCount, column: Column): number {
  let n = 0;
  for (const status of Object.keys(COLUMN_OF) as Status[]) if (COLUMN_OF[status] === column) n += c.counts[status];
  return n;
}

/** Something of it moves, failed, or it is part-way: what a short terminal keeps. */
function isBusy(c: TaskCount): boolean {
  const n = c.counts;
  const ended = n.done + n['up-to-date'] + n.failed + n.blocked + n.cancelled;
  return n.running + n.retrying + n.failed > 0 || (ended > 0 && n.pending > 0);
}

/** `✔  42` right-aligned under its word, blank for 0; a task not heard of yet waits for an unknown number of nodes (`◌   ?`). */
function cell(c: TaskCount, column: Column, digits: number, width: number, layout: BatchLayout): string {
  const n = countIn(c, column);
  const unknown = column === 'pending' && c.expected === undefined;
  if (n === 0 && !unknown) return ' '.repeat(width);
  const look = LOOK[column];
  const icon = layout.paint(look.colour, look.spins ? layout.spinner : look.icon);
  const number = (unknown ? '?' : String(n)).padStart(digits);
  return `${' '.repeat(width - 2 - digits)}${icon} ${column === 'done' || column === 'up-to-date' ? number : layout.paint(look.colour, number)}`;
}

/**
 * Nodes running or waiting to retry, the longest-going first, so a new one
 * joins at the bottom and rows do not jump; those that started together in
 * the run's order of bottles (the sort is stable).
 */
function movingRows(model: Model): Row[] {
  const rows: Row[] = [];
  for (const group of model.groups.values()) for (const row of group.rows.values()) if (row.status === 'running' || row.status === 'retrying') rows.push(row);
  return rows.sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0));
}

function movingLine(row: Row, now: number, nameWidth: number, taskWidth: number, layout: BatchLayout): string {
  const look = LOOK[row.status];
  const icon = layout.paint(look.colour, look.spins ? layout.spinner : look.icon);
  return `  ${icon} ${groupName(row.item).padEnd(nameWidth)}  ${row.task.padEnd(taskWidth)}  ${layout.paint(look.colour, rowDetail(row, now))}`;
}

/** `✖ 2 failed, 12 blocked: agent-3-ab12c start-vm, agent-9-cd34e ca` (the counts first: a cut loses names, not counts); none while nothing failed. */
function failureLine(model: Model, paint: Paint): string | undefined {
  const failed: Row[] = [];
  let blocked = 0;
  for (const group of model.groups.values()) {
    for (const row of group.rows.values()) {
      if (row.status === 'failed') failed.push(row);
      if (row.status === 'blocked') blocked++;
    }
  }
  if (failed.length === 0) return undefined;
  failed.sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0));
  const counts = `${failed.length} failed${blocked > 0 ? `, ${blocked} blocked` : ''}`;
  const where = failed.map((r) => `${groupName(r.item)} ${r.task}`).join(', ');
  return `${paint(LOOK.failed.colour, `${LOOK.failed.icon} ${counts}:`)} ${where}`;
}
