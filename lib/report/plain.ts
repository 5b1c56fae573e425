/**
 * Plain progress: one line per transition, never a redraw — for CI logs and
 * pipes. Log lines of tasks are not shown (they are in logs/<task>.log) unless
 * `verbose`. A failure's line says FAILED and points to the recap, which
 * gives its reason and log once, at the end (recap.ts); a retry's reason is
 * shown where it happens, as nothing else tells it. What came from a task
 * (log lines, reasons, which may quote the guest) is printed with its
 * control characters escaped.
 */
import { type EngineEvent, type EndStatus, RUN_ITEM } from '../engine/index.js';
import { terminalText } from './terminal-text.js';
import { STATUS_WORD } from './status-words.js';

/** A failure stands out in a CI log. */
const word = (status: EndStatus) => (status === 'failed' ? 'FAILED' : STATUS_WORD[status]);

export function plainReporter(write: (line: string) => void, options: { verbose?: boolean } = {}): (e: EngineEvent) => void {
  const width = 14;
  const name = (item: string, task: string) => `${item === RUN_ITEM ? '(all bottles)' : item}  ${task.padEnd(width)}`;
  return (e) => {
    switch (e.type) {
      case 'run-start':
        return write(`bottle: ${e.items.filter((i) => i !== RUN_ITEM).length} bottle(s), ${e.tasks.length} tasks`);
      case 'node-start':
        return write(`${name(e.item, e.task)} started${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`);
      case 'node-retry':
        return write(`${name(e.item, e.task)} retrying in ${(e.delayMs / 1000).toFixed(1)}s (attempt ${e.attempt}): ${terminalText(e.error)}`);
      case 'node-log':
        if (options.verbose) write(`${name(e.item, e.task)} | ${terminalText(e.line)}`);
        return;
      case 'node-end': {
        const took = e.status === 'done' || e.status === 'failed' ? ` in ${(e.durationMs / 1000).toFixed(1)}s` : '';
        const why = e.status === 'failed' ? ' (reason and log in the recap)' : e.error ? `: ${terminalText(e.error)}` : '';
        return write(`${name(e.item, e.task)} ${word(e.status)}${took}${why}`);
      }
      case 'run-end': {
        const c = e.counts;
        return write(
          `bottle: ${e.status} in ${(e.durationMs / 1000).toFixed(1)}s — ${c.done} done, ${c['up-to-date']} up to date, ${c.failed} failed, ${c.blocked} blocked, ${c.cancelled} cancelled`,
        );
      }
    }
  };
}
