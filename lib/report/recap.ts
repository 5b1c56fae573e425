/**
 * The end-of-run recap, per bottle: done / up to date / failed / blocked /
 * cancelled, and for each failure the task, the reason and where its log is.
 * Plain text lines; renderers colour them if they like. A failure's reason
 * may quote the guest: its control characters are escaped here, before any
 * colour.
 */
import { type RunResult, END_STATUSES, emptyCounts, type EndStatus } from '../engine/index.js';
import type { RecapContext } from './reporter.js';
import { itemLabel } from './item-label.js';
import { terminalText } from './terminal-text.js';
import { STATUS_WORD } from './status-words.js';


export function recapLines(result: RunResult, recap: RecapContext): string[] {
  const byBottle = new Map<string, Record<EndStatus, number>>();
  const failures: string[] = [];
  for (const node of result.nodes.values()) {
    let counts = byBottle.get(node.item);
    if (!counts) byBottle.set(node.item, (counts = emptyCounts()));
    counts[node.status]++;
    if (node.status === 'failed') {
      failures.push(`  ${itemLabel(node.item)} ${node.task}: ${terminalText(node.record.error?.message ?? 'failed')}\n    log: ${recap.logPath(node.item, node.task)}`);
    }
  }
  const width = Math.max(0, ...[...byBottle.keys()].map((b) => itemLabel(b).length));
  const lines = [...byBottle].map(([bottle, counts]) => {
    const parts = END_STATUSES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${STATUS_WORD[s]}`);
    return `  ${itemLabel(bottle).padEnd(width)}  ${parts.join(', ')}`;
  });
  const head = `Recap: ${result.status} in ${(result.durationMs / 1000).toFixed(1)}s`;
  return [head, ...lines, ...(failures.length > 0 ? ['Failures:', ...failures] : [])];
}
