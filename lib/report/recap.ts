/**
 * The end-of-run recap: how each bottle ended (done / up to date / failed /
 * blocked / cancelled), then each failure once: bottle, task, reason and
 * where its log is. It is the one place a failure's reason is printed in
 * full; the live displays only say that a task failed (plain.ts, tty.ts).
 *
 * Past LISTED bottles (a batch: `bottle up -n 100`) the recap stays short:
 * bottles that ended alike without a failure of their own are one line per
 * outcome ("97 bottles ok: 10 done each"); a bottle with a failure is still a
 * line of its own, and every failure is listed.
 *
 * Plain text lines; renderers colour them if they like. A failure's reason
 * may quote the guest: its control characters are escaped here, before any
 * colour.
 */
import { type RunResult, END_STATUSES, emptyCounts, type EndStatus, RUN_ITEM } from '../engine/index.js';
import type { RecapContext } from './reporter.js';
import { itemLabel } from './item-label.js';
import { terminalText } from './terminal-text.js';
import { STATUS_WORD } from './status-words.js';

/** Up to this many bottles, each is a line of the recap. */
export const LISTED = 10;

/** How a bottle ended, by its worst end status. */
type Outcome = 'failed' | 'cancelled' | 'blocked' | 'ok';

const OUTCOME_OF: Record<EndStatus, Outcome> = {
  failed: 'failed',
  cancelled: 'cancelled',
  blocked: 'blocked',
  done: 'ok',
  'up-to-date': 'ok',
};

/** Whether bottles that ended so share a line in a batch; a failed one keeps its own, beside its failures. */
const SHARED: Record<Outcome, boolean> = { failed: false, cancelled: true, blocked: true, ok: true };

/** Worst first. */
const SEVERITY: readonly EndStatus[] = ['failed', 'cancelled', 'blocked', 'done', 'up-to-date'];
const OUTCOMES: readonly Outcome[] = ['ok', 'blocked', 'cancelled', 'failed'];

function outcomeOf(counts: Record<EndStatus, number>): Outcome {
  return OUTCOME_OF[SEVERITY.find((s) => counts[s] > 0) ?? 'done'];
}

export function recapLines(result: RunResult, recap: RecapContext): string[] {
  const counted = new Map<string, Record<EndStatus, number>>();
  const failedIn = new Map<string, string[]>();
  for (const node of result.nodes.values()) {
    let counts = counted.get(node.item);
    if (!counts) counted.set(node.item, (counts = emptyCounts()));
    counts[node.status]++;
    if (node.status === 'failed') {
      const line = `  ${itemLabel(node.item)} ${node.task}: ${terminalText(node.record.error?.message ?? 'failed')}\n    log: ${recap.logPath(node.item, node.task)}`;
      failedIn.set(node.item, [...(failedIn.get(node.item) ?? []), line]);
    }
  }
  // The bottles in their natural order (agent-2 before agent-10), whichever ended first, so a recap reads the same run after run; the images stay where they came.
  const bottlesSorted = [...counted.keys()].filter((item) => item !== RUN_ITEM).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const order = [...counted.keys()].map((item) => (item === RUN_ITEM ? item : bottlesSorted.shift()!));
  const byBottle = new Map(order.map((item) => [item, counted.get(item)!]));
  const failures = order.flatMap((item) => failedIn.get(item) ?? []);
  const bottles = [...byBottle.keys()].filter((item) => item !== RUN_ITEM).length;
  const head = `Recap: ${result.status} in ${(result.durationMs / 1000).toFixed(1)}s`;
  const lines = bottles <= LISTED ? itemLines([...byBottle]) : batchLines(byBottle);
  return [head, ...lines, ...(failures.length > 0 ? ['Failures:', ...failures] : [])];
}

/** A line per item, names aligned: `  alpha     4 done`. */
function itemLines(items: [string, Record<EndStatus, number>][]): string[] {
  const width = Math.max(0, ...items.map(([item]) => itemLabel(item).length));
  return items.map(([item, counts]) => `  ${itemLabel(item).padEnd(width)}  ${countsText(counts)}`);
}

/** One line per outcome several bottles share, then a line per other bottle (a failed one, one alone in its outcome) and the images. */
function batchLines(byBottle: Map<string, Record<EndStatus, number>>): string[] {
  const alike = new Map<Outcome, Record<EndStatus, number>[]>(OUTCOMES.map((o) => [o, []]));
  for (const [item, counts] of byBottle) if (item !== RUN_ITEM) alike.get(outcomeOf(counts))!.push(counts);
  const shared = (outcome: Outcome) => SHARED[outcome] && alike.get(outcome)!.length > 1;
  const summary = OUTCOMES.filter(shared).map((o) => `  ${alike.get(o)!.length} bottles ${o}: ${sameCounts(alike.get(o)!)}`);
  const own = [...byBottle]
    .filter(([item, counts]) => item === RUN_ITEM || !shared(outcomeOf(counts)))
    // The images first: every bottle stood on them.
    .sort(([a], [b]) => Number(b === RUN_ITEM) - Number(a === RUN_ITEM));
  return [...summary, ...itemLines(own)];
}

/** `10 done each` when the bottles' counts are the same, else their sum: `640 done, 330 up to date in all`. */
function sameCounts(group: Record<EndStatus, number>[]): string {
  const first = countsText(group[0]!);
  if (group.every((counts) => countsText(counts) === first)) return `${first} each`;
  const sum = emptyCounts();
  for (const counts of group) for (const s of END_STATUSES) sum[s] += counts[s];
  return `${countsText(sum)} in all`;
}

function countsText(counts: Record<EndStatus, number>): string {
  return END_STATUSES.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${STATUS_WORD[s]}`)
    .join(', ');
}
