/**
 * How the terminal display reads: icon, colour and words per status, the text
 * of a row, of an open bottle and of a finished (collapsed) one, and the
 * coloured recap. Pure functions of the model and a clock value; no listr2,
 * no streams. Colour is applied through a `Paint` that is the identity when
 * colour is off. A row's reason (which may quote the guest) has its control
 * characters escaped before it is coloured.
 */
import { type RunStatus, END_STATUSES, type EndStatus, type Status, RUN_ITEM } from '../engine/index.js';
import { countRows, type Group, type Model, type Row } from './tty-model.js';
import { terminalText } from './terminal-text.js';
import { STATUS_WORD } from './status-words.js';

export type Colour = 'green' | 'red' | 'yellow' | 'cyan' | 'dim' | 'bold';

const SGR: Record<Colour, readonly [open: number, close: number]> = {
  green: [32, 39],
  red: [31, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
};

export type Paint = (colour: Colour, text: string) => string;

export function painter(noColor: boolean): Paint {
  if (noColor) return (_colour, text) => text;
  return (colour, text) => (text === '' ? text : `\x1b[${SGR[colour][0]}m${text}\x1b[${SGR[colour][1]}m`);
}

export interface Look {
  icon: string;
  colour: Colour;
  /** Drawn with the spinner instead of the icon while the display runs. */
  spins: boolean;
}

export const LOOK: Record<Status, Look> = {
  pending: { icon: '◌', colour: 'dim', spins: false },
  running: { icon: '❯', colour: 'cyan', spins: true },
  retrying: { icon: '↻', colour: 'yellow', spins: false },
  done: { icon: '✔', colour: 'green', spins: false },
  'up-to-date': { icon: '✔', colour: 'dim', spins: false },
  failed: { icon: '✖', colour: 'red', spins: false },
  blocked: { icon: '↓', colour: 'yellow', spins: false },
  cancelled: { icon: '⊘', colour: 'yellow', spins: false },
};

/** What a finished bottle shows as its icon: its worst end status first. */
const SEVERITY: readonly EndStatus[] = ['failed', 'cancelled', 'blocked', 'done', 'up-to-date'];

const RUN_COLOUR: Record<RunStatus, Colour> = { ok: 'green', failed: 'red', cancelled: 'yellow' };

/** The order counts are listed in: what is moving, then how things ended. */
const COUNTED: readonly Status[] = ['running', 'retrying', ...END_STATUSES];

/** The display's own word for the run-scoped group: a title among titles, so no parentheses. */
export function groupName(item: string): string {
  return item === RUN_ITEM ? 'images' : item;
}

export function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

/** What a row says after its task name, uncoloured. */
export function rowDetail(row: Row, now: number): string {
  const reason = row.error === undefined ? undefined : terminalText(row.error);
  const attempts = row.attempt > 1 ? ` after ${row.attempt} attempts` : '';
  const took = seconds(row.durationMs ?? 0);
  switch (row.status) {
    case 'pending':
      return 'waiting';
    case 'running':
      return row.attempt > 1
        ? `running ${seconds(now - (row.attemptAt ?? now))} · attempt ${row.attempt}, last: ${reason ?? '?'}`
        : `running ${seconds(now - (row.attemptAt ?? now))}`;
    case 'retrying':
      return `retrying: attempt ${row.attempt} in ${seconds((row.retryAt ?? now) - now)} · ${reason ?? '?'}`;
    case 'done':
      return `done ${took}${row.attempt > 1 ? ` · ${row.attempt} attempts` : ''}`;
    case 'up-to-date':
      return 'up to date';
    case 'failed':
      return `failed ${took}${attempts} · ${reason ?? 'no reason given'}`;
    case 'blocked':
      return 'blocked: a task it needs did not succeed';
    case 'cancelled':
      return row.attempt > 0 ? `cancelled after ${took}` : 'cancelled';
  }
}

/** One row: the task name, padded to `width`, then its detail in its status colour. */
export function rowLine(row: Row, now: number, width: number, paint: Paint): string {
  return `${row.task.padEnd(width)}  ${paint(LOOK[row.status].colour, rowDetail(row, now))}`;
}

/** A bottle that is still going: what runs, what ended, time so far. */
export function openLine(group: Group, elapsedMs: number, width: number, paint: Paint): string {
  return `${paint('bold', groupName(group.item).padEnd(width))}  ${countsText(group, paint)}  ${paint('dim', seconds(elapsedMs))}`;
}

/** A finished bottle on one line, e.g. `demo-ab12c  10 done · 3 up to date  12.3s`. */
export function collapsedLine(group: Group, durationMs: number, width: number, paint: Paint): string {
  return `${groupName(group.item).padEnd(width)}  ${countsText(group, paint)}  ${paint('dim', seconds(durationMs))}`;
}

/**
 * Many bottles at once would not fit a terminal with every row drawn (a frame
 * taller than the screen cannot be redrawn in place). Past `lines`, open
 * bottles show only what is moving or failed; their counts say the rest.
 */
export function isCompact(model: Model, lines: number): boolean {
  let total = model.groups.size;
  for (const group of model.groups.values()) if (group.endedAt === undefined) total += group.rows.size;
  return total > lines;
}

/**
 * Which rows of a bottle are drawn. `all`: an open bottle, all fits. `moving`:
 * an open bottle when all would not fit. `interrupted`: a finished bottle —
 * only tasks cancelled mid-way, which keep it open; any other finished bottle
 * is one line.
 */
export type RowMode = 'all' | 'moving' | 'interrupted';

/** What an open bottle still shows when the display is compact. */
const SHOWN_WHEN_COMPACT: Record<Status, boolean> = {
  pending: false,
  running: true,
  retrying: true,
  done: false,
  'up-to-date': false,
  failed: true,
  blocked: false,
  cancelled: false,
};

export function isRowShown(row: Row, mode: RowMode): boolean {
  switch (mode) {
    case 'all':
      return true;
    case 'moving':
      return SHOWN_WHEN_COMPACT[row.status];
    case 'interrupted':
      return isInterrupted(row);
  }
}

/** Cancelled after it had started: what Ctrl-C cut short. */
export function isInterrupted(row: Row): boolean {
  return row.status === 'cancelled' && row.startedAt !== undefined;
}

/** How a group's icon reads: live while open, its worst end once finished. */
export function groupStatus(group: Group): Status {
  const counts = countRows(group);
  if (group.endedAt === undefined) return counts.running + counts.retrying > 0 ? 'running' : 'pending';
  return SEVERITY.find((s) => counts[s] > 0) ?? 'done';
}

function countsText(group: Group, paint: Paint): string {
  const counts = countRows(group);
  const failed = [...group.rows.values()].filter((r) => r.status === 'failed').map((r) => r.task);
  const parts = COUNTED.filter((s) => counts[s] > 0).map((s) => {
    const text = `${counts[s]} ${STATUS_WORD[s]}${s === 'failed' ? ` (${failed.join(', ')})` : ''}`;
    return s === 'done' || s === 'up-to-date' ? text : paint(LOOK[s].colour, text);
  });
  return parts.length > 0 ? parts.join(' · ') : paint('dim', 'waiting');
}

/**
 * Colours the lines of lib/report/recap.ts, one terminal line each: the head
 * by the run's status, each "N <status>" by its status, failures in red, log
 * paths dimmed.
 */
export function paintRecap(lines: readonly string[], status: RunStatus, paint: Paint): string[] {
  const words = END_STATUSES.map((s) => STATUS_WORD[s]).join('|');
  const count = new RegExp(`(\\d+) (${words})\\b`, 'g');
  const byWord = new Map(END_STATUSES.map((s) => [STATUS_WORD[s], s] as const));
  let inFailures = false;
  // A failure's entry is two lines in one string: the reason, then its log.
  return lines.flatMap((entry) => entry.split('\n')).map((line, i) => {
    if (i === 0) return paint('bold', paint(RUN_COLOUR[status], line));
    if (line === 'Failures:') {
      inFailures = true;
      return paint('bold', paint('red', line));
    }
    if (inFailures) return /^\s+log: /.test(line) ? paint('dim', line) : paint('red', line);
    return line.replace(count, (all, _n: string, word: string) => paint(LOOK[byWord.get(word) ?? 'done'].colour, all));
  });
}
