import { describe, expect, it } from 'vitest';
import { type EngineEvent, emptyCounts } from '../../lib/engine/index.js';
import { applyEvent, countRows, emptyModel, type Model } from '../../lib/report/tty-model.js';

const TASKS = ['image', 'prepare', 'start'];

function feed(model: Model, events: EngineEvent[], t = 0) {
  return events.map((e, i) => applyEvent(model, e, t + i));
}

const end = (item: string, task: string, status: 'done' | 'failed' | 'blocked' | 'cancelled' | 'up-to-date' = 'done'): EngineEvent => ({
  type: 'node-end',
  item,
  task,
  status,
  attempts: 1,
  durationMs: 5,
});

describe('the display model', () => {
  it('has a group per item, images first, and a row once an event names a node', () => {
    const model = emptyModel();
    feed(model, [
      { type: 'run-start', items: ['a', '_run', 'b'], tasks: TASKS },
      { type: 'node-start', item: 'a', task: 'prepare', attempt: 1 },
    ]);
    expect([...model.groups.keys()]).toEqual(['_run', 'a', 'b']);
    expect([...model.groups.get('a')!.rows.keys()]).toEqual(['prepare']);
    expect(model.groups.get('b')!.rows.size).toBe(0);
  });

  it('follows a retry: attempt, reason and when the next one is due, then the new attempt', () => {
    const model = emptyModel();
    applyEvent(model, { type: 'run-start', items: ['a'], tasks: TASKS }, 0);
    applyEvent(model, { type: 'node-start', item: 'a', task: 'prepare', attempt: 1 }, 10);
    applyEvent(model, { type: 'node-retry', item: 'a', task: 'prepare', attempt: 2, delayMs: 300, error: 'busy' }, 50);
    const row = model.groups.get('a')!.rows.get('prepare')!;
    expect(row).toMatchObject({ status: 'retrying', attempt: 2, error: 'busy', retryAt: 350, startedAt: 10 });
    applyEvent(model, { type: 'node-start', item: 'a', task: 'prepare', attempt: 2 }, 350);
    expect(row).toMatchObject({ status: 'running', attempt: 2, attemptAt: 350, startedAt: 10 });
    expect(row.retryAt).toBeUndefined();
    applyEvent(model, { type: 'node-end', item: 'a', task: 'prepare', status: 'done', attempts: 2, durationMs: 400 }, 410);
    expect(row).toMatchObject({ status: 'done', attempt: 2, durationMs: 400, endedAt: 410 });
    expect(row.error).toBeUndefined();
  });

  it('finishes a bottle once all its nodes ended, counting the run tasks it learnt of out', () => {
    const model = emptyModel();
    applyEvent(model, { type: 'run-start', items: ['_run', 'a'], tasks: TASKS }, 0);
    // Before `image` is seen under _run, a bottle expects 3 nodes: two ended is not enough.
    const early = feed(model, [end('a', 'prepare'), end('a', 'start')], 1);
    expect(early.flatMap((c) => c.finished)).toEqual([]);
    const learnt = applyEvent(model, { type: 'node-start', item: '_run', task: 'image', attempt: 1 }, 5);
    expect(learnt.finished.map((g) => g.item)).toEqual(['a']);
    expect(model.groups.get('a')!.endedAt).toBe(5);
    // The images end only with the run: a run task could still start.
    expect(applyEvent(model, end('_run', 'image'), 6).finished).toEqual([]);
    const last = applyEvent(model, { type: 'run-end', status: 'ok', counts: emptyCounts(), durationMs: 7 }, 7);
    expect(last.finished.map((g) => g.item)).toEqual(['_run']);
  });

  it('finishes every group at run-end, even one whose nodes were not all heard of (a targeted run)', () => {
    const model = emptyModel();
    feed(model, [{ type: 'run-start', items: ['a', 'b'], tasks: TASKS }, end('a', 'prepare')]);
    const change = applyEvent(model, { type: 'run-end', status: 'ok', counts: emptyCounts(), durationMs: 3 }, 3);
    expect(change.finished.map((g) => g.item)).toEqual(['a', 'b']);
    expect(countRows(model.groups.get('a')!)).toMatchObject({ done: 1, running: 0 });
  });
});
