/**
 * The batch frame (tty-batch.ts), drawn after every event of a 100-bottle
 * run of the up graph's shape on the virtual clock (batch-run.ts), and read
 * back as a person would: its height, the counts under each status word
 * against the events themselves, the running rows, the ETA.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent, Status } from '../../lib/engine/index.js';
import { estimateRemainingMs } from '../../lib/report/eta.js';
import { visibleLength } from '../../lib/report/fit.js';
import { STATUS_WORD } from '../../lib/report/status-words.js';
import { batchFrame, isBatch, type BatchLayout } from '../../lib/report/tty-batch.js';
import { painter } from '../../lib/report/tty-look.js';
import { applyEvent, emptyModel } from '../../lib/report/tty-model.js';
import { BATCH, BATCH_TASKS, FAILURES, RUN_TASKS, runBatch } from './batch-run.js';

const SPIN = '⠋';
const layout = (maxLines: number, columns = 80): BatchLayout => ({ maxLines, columns, paint: painter(true), spinner: SPIN });

/** What the events say, kept apart from the display's model, and counted as they come (a frame is checked after each). */
class Truth {
  private readonly status = new Map<string, Status>();
  private readonly perTask = new Map<string, Map<Status, number>>();
  private readonly doneOf = new Map<string, number>();
  readonly moving = new Set<string>();
  readonly failed = new Set<string>();
  ended = 0;
  /** Nodes that ran to their end: what an ETA can learn from. */
  measured = 0;

  apply(e: EngineEvent): void {
    if (e.type !== 'node-start' && e.type !== 'node-retry' && e.type !== 'node-end') return;
    const key = `${e.item}/${e.task}`;
    const next: Status = e.type === 'node-start' ? 'running' : e.type === 'node-retry' ? 'retrying' : e.status;
    const counts = this.perTask.get(e.task) ?? new Map<Status, number>();
    this.perTask.set(e.task, counts);
    const before = this.status.get(key);
    if (before) counts.set(before, counts.get(before)! - 1);
    counts.set(next, (counts.get(next) ?? 0) + 1);
    this.status.set(key, next);
    if (next === 'running' || next === 'retrying') this.moving.add(key);
    else {
      this.moving.delete(key);
      this.ended++;
    }
    if (next === 'done' || next === 'failed') this.measured++;
    if (next === 'failed') this.failed.add(e.item);
    if (next === 'done') this.doneOf.set(e.item, (this.doneOf.get(e.item) ?? 0) + 1);
  }

  /** Per status word, the count a task's line should show ('?' waiting while no node of it was named). */
  countsOf(task: string): Record<string, string> {
    const counts = this.perTask.get(task);
    const n = (...statuses: Status[]) => String(statuses.reduce((sum, s) => sum + (counts?.get(s) ?? 0), 0));
    const named = [...(counts?.values() ?? [])].reduce((sum, k) => sum + k, 0);
    const total = RUN_TASKS.has(task) ? 1 : BATCH.length;
    return {
      [STATUS_WORD.done]: n('done'),
      [STATUS_WORD['up-to-date']]: n('up-to-date'),
      [STATUS_WORD.running]: n('running', 'retrying'),
      [STATUS_WORD.pending]: named === 0 ? '?' : String(total - named),
      [STATUS_WORD.failed]: n('failed'),
      [STATUS_WORD.blocked]: n('blocked'),
      [STATUS_WORD.cancelled]: n('cancelled'),
    };
  }

  /** Bottles all ten of whose tasks are done. */
  get readyBottles(): number {
    return [...this.doneOf.values()].filter((n) => n === BATCH_TASKS.length - RUN_TASKS.size).length;
  }
}

/** The words of the heading a count can stand under: a node waiting to retry counts as running. */
const COLUMN_WORDS = (['done', 'up-to-date', 'running', 'pending', 'failed', 'blocked', 'cancelled'] as const).map((s) => STATUS_WORD[s]);

/** A task line's counts, read under the heading's words (a blank is 0, a word not in the heading is 0). */
function countsUnder(heading: string, line: string): Record<string, string> {
  const out: Record<string, string> = Object.fromEntries(COLUMN_WORDS.map((w) => [w, '0']));
  let from = 0;
  for (const word of heading.matchAll(/\S+(?: \S+)*/g)) {
    const to = word.index + word[0].length;
    out[word[0]] = /(\d+|\?)$/.exec(line.slice(from, to).trim())?.[1] ?? '0';
    from = to;
  }
  return out;
}

/** A live frame read as a person would: the header's numbers, each task line's counts, the failure line, the running rows. */
function readFrame(frame: string[], over: boolean) {
  const [header = '', heading = '', ...rest] = frame;
  const head = /^(\d+)\/100 bottles ready · (\d+) failed(?: · \d+ blocked)? · elapsed (\S+) · ETA (\S+)$/.exec(header);
  const taskLines = rest.slice(0, BATCH_TASKS.length);
  let below = rest.slice(BATCH_TASKS.length);
  const failureLine = /^✖ \d+ failed(, \d+ blocked)?: agent-3-ab12c start-vm/.test(below[0] ?? '');
  if (failureLine) below = below.slice(1);
  const more = /^ {2}… and (\d+) more running$/.exec(below.at(-1) ?? '');
  const rows = (more ? below.slice(0, -1) : below).map((row) => {
    const [, item, task] = /^ {2}[⠋↻] (\S+) +(\S+) +(running|retrying)/.exec(row) ?? [];
    return `${item === 'images' ? '_run' : item}/${task}`;
  });
  return {
    live: !over,
    ready: Number(head?.[1]),
    failed: Number(head?.[2]),
    eta: head?.[4],
    tasks: taskLines.map((l) => l.trim().split(/\s+/)[0]),
    counts: taskLines.map((l) => countsUnder(heading, l)),
    failureLine,
    rows,
    more: Number(more?.[1] ?? 0),
  };
}

describe('the batch frame', () => {
  it('is chosen when the bottles would not fit as a line each, with room for a few running rows', () => {
    const model = emptyModel();
    applyEvent(model, { type: 'run-start', items: ['_run', ...BATCH], tasks: BATCH_TASKS }, 0);
    expect(isBatch(model, 43)).toBe(true);
    applyEvent((model.groups = new Map(), model), { type: 'run-start', items: ['a', 'b', 'c'], tasks: BATCH_TASKS }, 0);
    expect(isBatch(model, 22)).toBe(false);
  });

  it('fits 22 lines (a 24-line terminal) after every event of 100 bottles x 13 tasks, with the counts, running rows and ETA the events say', async () => {
    const model = emptyModel();
    const truth = new Truth();
    const maxLines = 22;
    /** Per frame, what it says and what the events say, kept when they differ (one expect per frame would take seconds). */
    const wrong: { event: number; frame: string[]; read: unknown; want: unknown }[] = [];
    let frames = 0;
    let seenMore = false;
    let halfway: { at: number; eta: number } | undefined;

    const result = await runBatch((e, now) => {
      applyEvent(model, e, now);
      truth.apply(e);
      const frame = batchFrame(model, now, layout(maxLines));
      frames++;
      const read = readFrame(frame, e.type === 'run-start' || model.over);
      const want = {
        fits: true,
        ...(read.live
          ? {
              ready: truth.readyBottles,
              failed: truth.failed.size,
              // "ETA --" exactly while no node has ended after running; then a clock reading.
              eta: truth.measured > 0 ? 'a time' : '--',
              tasks: BATCH_TASKS,
              counts: BATCH_TASKS.map((t) => truth.countsOf(t)),
              failureLine: truth.failed.size > 0,
              // Every row shown is a node the events say is running; the rest are counted.
              rowsRunning: true,
              movingCount: truth.moving.size,
            }
          : {}),
      };
      const got = {
        fits: frame.length <= maxLines && frame.every((l) => visibleLength(l) < 80),
        ...(read.live
          ? {
              ready: read.ready,
              failed: read.failed,
              eta: read.eta === '--' ? '--' : /^(\d+s|\d+m\d\ds|\d+h\d\dm)$/.test(read.eta ?? '') ? 'a time' : read.eta,
              tasks: read.tasks,
              counts: read.counts,
              failureLine: read.failureLine,
              rowsRunning: read.rows.every((key) => truth.moving.has(key)),
              movingCount: read.rows.length + read.more,
            }
          : {}),
      };
      if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push({ event: frames, frame, read: got, want });
      seenMore ||= read.more > 0;
      if (!halfway && truth.ended >= (BATCH.length * 10 + 3) / 2) halfway = { at: now, eta: estimateRemainingMs(model, now)! };
    });

    expect(wrong.slice(0, 1)).toEqual([]);
    // A start and an end for each of the ~1000 nodes that ran (a blocked node only ends).
    expect(frames).toBeGreaterThan(1990);
    expect(seenMore).toBe(true);
    // Halfway through, time so far plus the ETA lands within a fifth of how long the run took.
    const guess = (halfway!.at + halfway!.eta) / result.durationMs;
    expect(guess).toBeGreaterThan(0.8);
    expect(guess).toBeLessThan(1.2);

    // The last frame: counts only, the two failures named, no reason (the recap gives those, once).
    const last = batchFrame(model, result.durationMs, layout(maxLines));
    expect(last[0]).toBe('98/100 bottles ready · 2 failed');
    expect(last.at(-1)).toBe('✖ 2 failed, 7 blocked: agent-3-ab12c start-vm, agent-9-ab12c ca');
    for (const { message } of FAILURES) expect(last.join('\n')).not.toContain(message);
  });

  it('keeps to a short terminal: the busy tasks, the rest counted, and the running rows that fit', async () => {
    const model = emptyModel();
    let cut = false;
    const heights: number[] = [];
    const widths: number[] = [];
    const headers: string[] = [];
    await runBatch((e, now) => {
      applyEvent(model, e, now);
      const frame = batchFrame(model, now, layout(10, 60));
      heights.push(frame.length);
      widths.push(...frame.map(visibleLength));
      headers.push(frame[0]!);
      cut ||= frame.some((l) => /^ {2}… and \d+ more tasks$/.test(l));
    });
    expect(Math.max(...heights)).toBeLessThanOrEqual(10);
    expect(Math.max(...widths)).toBeLessThan(60);
    for (const header of headers) expect(header).toMatch(/^\d+\/100 bottles ready/);
    expect(cut).toBe(true);
  });
});
