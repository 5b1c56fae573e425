/**
 * What `bottle status` prints for people: a table that fits the terminal's
 * width — AGENT, STATE, TASKS (a compact count: `8 done, 1 failed, 1
 * blocked`), BACKEND only when the bottles do not all share one, SLUG when
 * there is room for it, MACHINE with `--probe` — then a one-line total
 * (`100 bottles: 97 ready, 2 failed, 1 partial`), then each failed task once,
 * with its reason and log. Bottles come in their agents' natural order
 * (`reviewer-2` before `reviewer-10`). Long agent names and task counts are
 * cut with an ellipsis rather than wrapped.
 *
 * Plain text, no colour: it is often piped. It reads nothing: cli/commands/
 * status.ts reads the records and decides each bottle's state; `--json` is
 * written there, not here. A failure's reason may quote the guest: its
 * control characters are escaped.
 */
import type { Status } from '../engine/index.js';
import { STATUS_WORD } from './status-words.js';
import { terminalText } from './terminal-text.js';
import { textTable, type TableColumn } from './text-table.js';

/** A bottle's state, as `bottle status` (and its `--json`) names it; also the order of the total line. */
export const BOTTLE_STATES = ['ready', 'running', 'stopped', 'failed', 'cancelled', 'partial', 'down'] as const;
export type BottleState = (typeof BOTTLE_STATES)[number];

export interface BottleStatus {
  agent: string;
  slug: string;
  backend: string;
  /** The host it is placed on, when the manifest names hosts. */
  host?: string;
  state: BottleState;
  /** Per task id, as the record has it. */
  tasks: Readonly<Record<string, { status: Status; error?: string }>>;
  /** With `--probe`: whether the agent's machine runs. */
  machine?: string;
  /** Set when the bottle's record cannot be read. */
  problem?: string;
}

export interface StatusTableOptions {
  /** The terminal's width. */
  columns: number;
  /** Where a task's log is: `<state>/<slug>/logs/<task>.log`. */
  logPath(slug: string, task: string): string;
}

/** The order counts are listed in: how things ended well, what moves, what waits, how things ended badly. */
const SUMMARY_ORDER: Record<Status, number> = {
  done: 0,
  'up-to-date': 1,
  running: 2,
  retrying: 3,
  pending: 4,
  failed: 5,
  blocked: 6,
  cancelled: 7,
};

/** The narrowest an agent name or a task count is cut to when the table is too wide. */
const MIN_AGENT = 12;
const MIN_TASKS = 16;
/** The widest the agent column gets, as a share of the terminal: one long name does not push the other columns out. */
const MAX_AGENT_SHARE = 0.4;

export function statusLines(given: readonly BottleStatus[], options: StatusTableOptions): string[] {
  // Agents in their natural order: reviewer-2 before reviewer-10.
  const bottles = [...given].sort((a, b) => a.agent.localeCompare(b.agent, 'en', { numeric: true }) || a.slug.localeCompare(b.slug));
  const column = (head: string, cell: (b: BottleStatus) => string, rest: Partial<TableColumn> = {}): TableColumn => ({ head, cells: bottles.map(cell), ...rest });
  const backends = new Set(bottles.map((b) => b.backend));
  const probed = bottles.some((b) => b.machine !== undefined);
  const table = textTable(
    [
      column('AGENT', (b) => b.agent, { minWidth: MIN_AGENT, maxWidth: Math.max(MIN_AGENT, Math.floor(options.columns * MAX_AGENT_SHARE)) }),
      column('SLUG', (b) => b.slug, { optional: true }),
      ...(backends.size > 1 ? [column('BACKEND', (b) => b.backend)] : []),
      ...(bottles.some((b) => b.host !== undefined) ? [column('HOST', (b) => b.host ?? '-')] : []),
      column('STATE', (b) => b.state),
      column('TASKS', (b) => taskSummary(b.tasks), { minWidth: MIN_TASKS }),
      ...(probed ? [column('MACHINE', (b) => b.machine ?? '?')] : []),
    ],
    options.columns,
  );
  return [...table, totalLine(bottles), ...failureLines(bottles, options)];
}

/** `10 done`, `8 done, 1 failed, 1 blocked`; `-` for a bottle no task ran in. */
export function taskSummary(tasks: BottleStatus['tasks']): string {
  const counts = new Map<Status, number>();
  for (const t of Object.values(tasks)) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  const parts = [...counts].sort(([a], [b]) => SUMMARY_ORDER[a] - SUMMARY_ORDER[b]).map(([s, n]) => `${n} ${STATUS_WORD[s]}`);
  return parts.join(', ') || '-';
}

/** `100 bottles: 97 ready, 2 failed, 1 partial`. */
export function totalLine(bottles: readonly BottleStatus[]): string {
  const parts = BOTTLE_STATES.map((state) => [state, bottles.filter((b) => b.state === state).length] as const)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`);
  return `${bottles.length} bottle${bottles.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** Each failed task once, as the recap of `bottle up` lists them; then records that cannot be read. */
function failureLines(bottles: readonly BottleStatus[], options: StatusTableOptions): string[] {
  const failures = bottles.flatMap((b) =>
    Object.entries(b.tasks)
      .filter(([, t]) => t.status === 'failed')
      .map(([task, t]) => [`  ${b.slug} ${task}: ${terminalText(t.error ?? 'failed')}`, `    log: ${options.logPath(b.slug, task)}`]),
  );
  const problems = bottles.filter((b) => b.problem !== undefined).map((b) => `${b.slug}: ${terminalText(b.problem!)}`);
  return [...(failures.length > 0 ? ['Failures:', ...failures.flat()] : []), ...problems];
}
