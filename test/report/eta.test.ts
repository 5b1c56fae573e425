/** The ETA on a clock the test sets: each case is worked out by hand from eta.ts's formula. */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../lib/engine/index.js';
import { estimateRemainingMs, WINDOW_MS } from '../../lib/report/eta.js';
import { durationText } from '../../lib/report/duration-text.js';
import { applyEvent, emptyModel, type Model } from '../../lib/report/tty-model.js';

const bottles = Array.from({ length: 10 }, (_, i) => `b${i}`);

function model(tasks: string[]): { model: Model; at: (t: number, ...events: EngineEvent[]) => void } {
  const m = emptyModel();
  const at = (t: number, ...events: EngineEvent[]) => events.forEach((e) => applyEvent(m, e, t));
  at(0, { type: 'run-start', items: bottles, tasks });
  return { model: m, at };
}

const start = (item: string, task = 'work'): EngineEvent => ({ type: 'node-start', item, task, attempt: 1 });
const end = (item: string, durationMs: number, task = 'work', status: 'done' | 'failed' | 'blocked' = 'done'): EngineEvent => ({
  type: 'node-end',
  item,
  task,
  status,
  attempts: status === 'blocked' ? 0 : 1,
  durationMs,
});

describe('the ETA', () => {
  it('is unknown until a node has run to its end', () => {
    const { model: m, at } = model(['work']);
    expect(estimateRemainingMs(m, 0)).toBeUndefined();
    at(0, start('b0'));
    expect(estimateRemainingMs(m, 5000)).toBeUndefined();
    // A blocked node never ran: nothing to learn from.
    at(10, end('b1', 0, 'work', 'blocked'));
    expect(estimateRemainingMs(m, 5000)).toBeUndefined();
  });

  it('is the work left at the mean time per node, less what runs already, over the nodes at work at once', () => {
    const { model: m, at } = model(['work']);
    at(0, start('b0'), start('b1'));
    at(1000, end('b0', 1000), end('b1', 1000), start('b2'), start('b3'));
    // 8 nodes left x 1000 ms, less 2 x 500 ms run; 3000 ms of work over 1500 ms: 2 at once.
    expect(estimateRemainingMs(m, 1500)).toBe(7000 / 2);
  });

  it('never goes below zero: a node running past the mean has nothing left, and a finished run has 0', () => {
    const { model: m, at } = model(['work']);
    at(0, start('b0'));
    at(100, end('b0', 100), start('b1'));
    // b1 has run 10 s against a mean of 0.1 s: 8 waiting nodes x 100 ms, b1 counts 0, 1 node at work.
    expect(estimateRemainingMs(m, 10_100)).toBe(800);
    for (const b of bottles.slice(1)) at(10_200, end(b, 100));
    expect(estimateRemainingMs(m, 10_200)).toBe(0);
  });

  it('takes each task at its own mean, and the mean of all for a task with none yet; a run task counts once', () => {
    const { model: m, at } = model(['image', 'fast', 'slow', 'late']);
    at(0, { type: 'node-start', item: '_run', task: 'image', attempt: 1 }, start('b0', 'fast'));
    at(100, end('b0', 100, 'fast'), start('b1', 'fast'));
    at(200, end('b1', 100, 'fast'), start('b0', 'slow'));
    at(3200, end('b0', 3000, 'slow'), { type: 'node-end', item: '_run', task: 'image', status: 'done', attempts: 1, durationMs: 3200 });
    // fast: 8 x 100; slow: 9 x 3000; image: done; late, never seen: 10 x the mean of all, (100 + 100 + 3000 + 3200) / 4.
    // Work done: 3200 + 100 + 100 + 3000 = 6400 ms in 3200 ms: 2 at once.
    expect(estimateRemainingMs(m, 3200)).toBe((800 + 27_000 + 16_000) / 2);
  });

  it('counts parallelism over the last window, not since the start', () => {
    const { model: m, at } = model(['work']);
    at(0, start('b0'));
    at(60_000, end('b0', 60_000), ...bottles.slice(1, 5).map((b) => start(b)));
    // In the last 30 s, four nodes ran for 30 s each (b0 ended as the window began): 4 at once.
    const now = 60_000 + WINDOW_MS;
    // 9 left x 60 s, less 4 x 30 s run already: 420 s of work, 4 at once.
    expect(estimateRemainingMs(m, now)).toBe(420_000 / 4);
  });
});

describe('durations as a clock', () => {
  it('reads as seconds, minutes and seconds, hours and minutes, never negative', () => {
    expect([0, 999, 42_000, 187_000, 3_900_000, -5].map(durationText)).toEqual(['0s', '0s', '42s', '3m07s', '1h05m', '0s']);
  });
});
