import { describe, expect, it } from 'vitest';
import { defineGraph } from '../../lib/engine/graph.js';
import { runGraph } from '../../lib/engine/scheduler.js';
import { memoryRecorder } from '../../lib/engine/recorder.js';
import { EngineError, TaskError } from '../../lib/engine/errors.js';
import type { RunOptions } from '../../lib/engine/options.js';
import type { TaskDef } from '../../lib/engine/task.js';
import { VirtualClock } from '../helpers/virtual-clock.js';
import { boom, collect, items, newProbe, sleepTask, statuses, type Ctx, type SleepTaskSpec } from '../helpers/graphs.js';

function setup(specs: SleepTaskSpec[]) {
  const clock = new VirtualClock();
  const probe = newProbe();
  const graph = defineGraph(specs.map((s) => sleepTask(s, clock, probe)));
  const recorder = memoryRecorder();
  const { events, sink } = collect();
  const run = (options: Partial<RunOptions<Ctx>> = {}) =>
    clock.run(
      runGraph(graph, { items: items('b1'), shared: { item: '_run' }, clock, recorder, onEvent: sink, random: () => 0.5, ...options }),
    );
  return { clock, probe, graph, recorder, events, run };
}

describe('scheduling', () => {
  it('tells a task which of its needs ran in this run, and not those up to date', async () => {
    const seen: string[][] = [];
    const graph = defineGraph<Ctx>([
      { id: 'machine', title: 'machine', fingerprint: () => 'm', isDone: () => true, run: () => ({ id: 1 }) },
      { id: 'files', title: 'files', needs: ['machine'], fingerprint: () => 'f', run: (_ctx, io) => void seen.push([...io.ran]) },
    ]);
    const recorder = memoryRecorder();
    const options = { items: items('b1'), shared: { item: '_run' }, recorder };
    await runGraph(graph, options);
    await runGraph(graph, { ...options, force: ['files'] });
    expect(seen).toEqual([['machine'], []]);
  });

  it('starts a node as soon as its own needs are done, without waiting for its level', async () => {
    const { probe, run } = setup([
      { id: 'fast', ms: 10 },
      { id: 'slow', ms: 50 },
      { id: 'after-fast', needs: ['fast'], ms: 10 },
    ]);
    const result = await run({ concurrency: 4 });
    expect(result.status).toBe('ok');
    expect(probe.starts.find((s) => s.key === 'b1/after-fast')!.t).toBe(10);
    expect(probe.ends.find((s) => s.key === 'b1/slow')!.t).toBe(50);
  });

  it('never runs more nodes than the concurrency limit, and reaches it', async () => {
    const { probe, run } = setup([{ id: 'a' }, { id: 'b' }, { id: 'c', needs: ['a'] }]);
    await run({ concurrency: 3, items: items('b1', 'b2', 'b3', 'b4') });
    expect(probe.peak).toBe(3);
  });

  it('holds named resource limits below the global one', async () => {
    const { probe, run } = setup([
      { id: 'docker-a', resources: ['docker'] },
      { id: 'docker-b', resources: ['docker'] },
      { id: 'free' },
    ]);
    await run({ concurrency: 6, resources: { docker: 2 }, items: items('b1', 'b2', 'b3') });
    expect(probe.resources.get('docker')!.peak).toBe(2);
    expect(probe.peak).toBeGreaterThan(2);
  });

  it('starts an earlier item\'s ready nodes first, so the first bottles of a batch end early', async () => {
    const { probe, run } = setup([{ id: 'a', ms: 10 }, { id: 'b', needs: ['a'], ms: 10 }]);
    await run({ items: items('b1', 'b2', 'b3'), concurrency: 1 });
    expect(probe.starts.map((s) => s.key)).toEqual(['b1/a', 'b1/b', 'b2/a', 'b2/b', 'b3/a', 'b3/b']);
  });

  it('starts the ready node on the longest remaining path first', async () => {
    const { probe, run } = setup([{ id: 'lone' }, { id: 'head' }, { id: 'mid', needs: ['head'] }, { id: 'tail', needs: ['mid'] }]);
    await run({ concurrency: 1 });
    expect(probe.starts.map((s) => s.key)).toEqual(['b1/head', 'b1/mid', 'b1/lone', 'b1/tail']);
  });

  it('runs a run-scoped task once for all items and hands its output to each', async () => {
    const seen: unknown[] = [];
    const { probe, run } = setup([
      { id: 'image', scope: 'run', output: () => ({ imageId: 'sha256:1' }) },
      { id: 'start', needs: ['image'], output: (_ctx, needs) => seen.push(needs.image) },
    ]);
    const result = await run({ items: items('b1', 'b2') });
    expect(probe.calls.get('_run/image')).toBe(1);
    expect(seen).toEqual([{ imageId: 'sha256:1' }, { imageId: 'sha256:1' }]);
    expect(statuses(result)).toEqual({ '_run/image': 'done', 'b1/start': 'done', 'b2/start': 'done' });
  });

  it('emits typed events in order: run-start, node-start before node-end, run-end with counts', async () => {
    const { events, run } = setup([{ id: 'a' }, { id: 'b', needs: ['a'] }]);
    await run();
    expect(events.map((e) => e.type)).toEqual(['run-start', 'node-start', 'node-end', 'node-start', 'node-end', 'run-end']);
    expect(events[0]).toEqual({ type: 'run-start', items: ['b1'], tasks: ['a', 'b'] });
    expect(events[2]).toEqual({ type: 'node-end', item: 'b1', task: 'a', status: 'done', attempts: 1, durationMs: 10 });
    expect(events.at(-1)).toEqual({
      type: 'run-end',
      status: 'ok',
      counts: { done: 2, 'up-to-date': 0, failed: 0, blocked: 0, cancelled: 0 },
      durationMs: 20,
    });
  });

  it('streams task log lines as events and to the recorder', async () => {
    const clock = new VirtualClock();
    const recorder = memoryRecorder();
    const { events, sink } = collect();
    const task: TaskDef<Ctx> = {
      id: 'talk',
      title: 'talk',
      run: (_ctx, io) => {
        io.log('hello');
        io.log('world');
      },
    };
    await clock.run(runGraph(defineGraph([task]), { items: items('b1'), clock, recorder, onEvent: sink }));
    expect(events.filter((e) => e.type === 'node-log')).toEqual([
      { type: 'node-log', item: 'b1', task: 'talk', line: 'hello' },
      { type: 'node-log', item: 'b1', task: 'talk', line: 'world' },
    ]);
    expect(recorder.logs.get('b1/talk')).toEqual(['hello', 'world']);
  });
});

describe('retries and timeouts', () => {
  it('retries a transient error with exponential backoff, then succeeds', async () => {
    const { clock, events, run, probe } = setup([
      {
        id: 'flaky',
        ms: 10,
        retry: { attempts: 4, baseMs: 100, factor: 2, capMs: 10_000, jitter: 0 },
        failOn: (_item, attempt) => (attempt < 3 ? boom(true) : undefined),
      },
    ]);
    const result = await run();
    expect(result.nodes.get('b1/flaky')).toMatchObject({ status: 'done', record: { attempts: 3 } });
    expect(events.filter((e) => e.type === 'node-retry')).toEqual([
      { type: 'node-retry', item: 'b1', task: 'flaky', attempt: 2, delayMs: 100, error: 'daemon busy' },
      { type: 'node-retry', item: 'b1', task: 'flaky', attempt: 3, delayMs: 200, error: 'daemon busy' },
    ]);
    expect(probe.calls.get('b1/flaky')).toBe(3);
    expect(clock.now()).toBe(10 + 100 + 10 + 200 + 10);
  });

  it('fails a non-transient error at once', async () => {
    const { run, probe } = setup([{ id: 'bad', retry: { attempts: 5 }, failOn: () => boom(false) }]);
    const result = await run();
    expect(result.nodes.get('b1/bad')!.record).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { message: 'bad input', code: 'TASK_FAILED', transient: false },
    });
    expect(probe.calls.get('b1/bad')).toBe(1);
    expect(result.status).toBe('failed');
  });

  it('gives up after the last attempt', async () => {
    const { run } = setup([{ id: 'down', retry: { attempts: 3, baseMs: 1, jitter: 0 }, failOn: () => boom(true) }]);
    const result = await run();
    expect(result.nodes.get('b1/down')!.record).toMatchObject({ status: 'failed', attempts: 3 });
  });

  it('times out an attempt that ignores its signal, and aborts that signal', async () => {
    const clock = new VirtualClock();
    let signal: AbortSignal | undefined;
    const task: TaskDef<Ctx> = {
      id: 'hang',
      title: 'hang',
      timeoutMs: 100,
      retry: { attempts: 1 },
      run: (_ctx, io) => {
        signal = io.signal;
        return new Promise(() => {});
      },
    };
    const result = await clock.run(runGraph(defineGraph([task]), { items: items('b1'), clock }));
    expect(result.nodes.get('b1/hang')!.record).toMatchObject({
      status: 'failed',
      durationMs: 100,
      error: { code: 'TIMEOUT', message: 'hang timed out after 100 ms' },
    });
    expect(signal!.aborted).toBe(true);
  });

  it('retries a timed-out attempt', async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const task: TaskDef<Ctx> = {
      id: 'slow-then-fine',
      title: 'x',
      timeoutMs: 50,
      retry: { attempts: 2, baseMs: 5, jitter: 0 },
      run: async (_ctx, io) => {
        calls++;
        await clock.sleep(calls === 1 ? 500 : 10, io.signal);
        return calls;
      },
    };
    const result = await clock.run(runGraph(defineGraph([task]), { items: items('b1'), clock }));
    expect(result.nodes.get('b1/slow-then-fine')!.record).toMatchObject({ status: 'done', attempts: 2, output: 2 });
    expect(clock.now()).toBe(50 + 5 + 10);
  });
});

describe('failure and cancellation', () => {
  it('blocks exactly the descendants of a failed node in its item; other branches and items go on', async () => {
    const { run, probe } = setup([
      { id: 'prepare' },
      { id: 'network', needs: ['prepare'], failOn: (item) => (item === 'b1' ? boom() : undefined) },
      { id: 'daemons', needs: ['network'] },
      { id: 'prompt', needs: ['prepare'] },
      { id: 'ready', needs: ['daemons', 'prompt'] },
    ]);
    const result = await run({ items: items('b1', 'b2') });
    expect(statuses(result)).toEqual({
      'b1/daemons': 'blocked',
      'b1/network': 'failed',
      'b1/prepare': 'done',
      'b1/prompt': 'done',
      'b1/ready': 'blocked',
      'b2/daemons': 'done',
      'b2/network': 'done',
      'b2/prepare': 'done',
      'b2/prompt': 'done',
      'b2/ready': 'done',
    });
    expect(probe.calls.has('b1/daemons')).toBe(false);
    expect(result.counts).toEqual({ done: 7, 'up-to-date': 0, failed: 1, blocked: 2, cancelled: 0 });
    expect(result.status).toBe('failed');
  });

  it('blocks every item when a run-scoped need fails', async () => {
    const { run } = setup([{ id: 'image', scope: 'run', failOn: () => boom() }, { id: 'start', needs: ['image'] }]);
    const result = await run({ items: items('b1', 'b2') });
    expect(statuses(result)).toEqual({ '_run/image': 'failed', 'b1/start': 'blocked', 'b2/start': 'blocked' });
  });

  it('fail-fast stops everything: running nodes are cancelled, nothing more starts', async () => {
    const { run, probe } = setup([
      { id: 'quick-fail', ms: 5, failOn: () => boom() },
      { id: 'long', ms: 100 },
      { id: 'later', needs: ['long'] },
    ]);
    const result = await run({ failFast: true, concurrency: 2 });
    expect(statuses(result)).toEqual({ 'b1/later': 'cancelled', 'b1/long': 'cancelled', 'b1/quick-fail': 'failed' });
    expect(probe.starts.map((s) => s.key)).toEqual(['b1/long', 'b1/quick-fail']);
    expect(probe.ends.find((e) => e.key === 'b1/long')!.t).toBe(5);
    expect(result.status).toBe('failed');
  });

  it('a cancelled run aborts running nodes, starts nothing more and records cancelled', async () => {
    const { clock, run, probe, recorder, events } = setup([
      { id: 'a', ms: 10 },
      { id: 'b', ms: 100, needs: ['a'] },
      { id: 'c', needs: ['b'] },
    ]);
    const ctl = new AbortController();
    clock.at(50, () => ctl.abort());
    const result = await run({ signal: ctl.signal, items: items('b1', 'b2'), concurrency: 1 });
    expect(result.status).toBe('cancelled');
    expect(statuses(result)).toEqual({
      'b1/a': 'done',
      'b1/b': 'cancelled',
      'b1/c': 'cancelled',
      // One slot, the first item first: b2 never started.
      'b2/a': 'cancelled',
      'b2/b': 'cancelled',
      'b2/c': 'cancelled',
    });
    expect(probe.starts.every((s) => s.t < 50)).toBe(true);
    expect(recorder.records.get('b1')!.tasks.b!.status).toBe('cancelled');
    expect(events.filter((e) => e.type === 'node-start' && e.task === 'c')).toEqual([]);
  });

  it('a run cancelled before it starts runs nothing', async () => {
    const { run, probe } = setup([{ id: 'a' }]);
    const result = await run({ signal: AbortSignal.abort() });
    expect(result.status).toBe('cancelled');
    expect(probe.calls.size).toBe(0);
    expect(statuses(result)).toEqual({ 'b1/a': 'cancelled' });
  });

  it('fails a node whose output is not JSON', async () => {
    const { run } = setup([{ id: 'big', output: () => ({ n: 1n }) }]);
    const result = await run();
    expect(result.nodes.get('b1/big')!.record.error!.message).toBe('big returned an output that is not JSON-serialisable');
  });
});

describe('up to date', () => {
  it('a second run of an unchanged graph runs nothing', async () => {
    const { run, probe } = setup([{ id: 'a' }, { id: 'b', needs: ['a'] }]);
    await run();
    probe.calls.clear();
    const second = await run();
    expect(probe.calls.size).toBe(0);
    expect(statuses(second)).toEqual({ 'b1/a': 'up-to-date', 'b1/b': 'up-to-date' });
  });

  it('a changed fingerprint re-runs the node and its descendants only', async () => {
    let promptText = 'v1';
    const { run, probe } = setup([
      { id: 'prepare' },
      { id: 'prompt', needs: ['prepare'], fingerprint: () => promptText },
      { id: 'skills', needs: ['prepare'] },
      { id: 'claude', needs: ['prompt'] },
    ]);
    await run();
    promptText = 'v2';
    probe.calls.clear();
    const second = await run();
    expect([...probe.calls.keys()].sort()).toEqual(['b1/claude', 'b1/prompt']);
    expect(second.counts).toMatchObject({ done: 2, 'up-to-date': 2 });
  });

  it('re-runs a node whose effect is gone (isDone false), leaving dependents up to date when its output is unchanged', async () => {
    let present = true;
    const { run, probe } = setup([{ id: 'vm', isDone: () => present, output: () => 'vm-1' }, { id: 'prompt', needs: ['vm'] }]);
    await run();
    present = false;
    probe.calls.clear();
    await run();
    expect([...probe.calls.keys()]).toEqual(['b1/vm']);
  });

  it('--force runs named tasks even when up to date', async () => {
    const { run, probe } = setup([{ id: 'a' }, { id: 'b' }]);
    await run();
    probe.calls.clear();
    await run({ force: ['b'] });
    expect([...probe.calls.keys()]).toEqual(['b1/b']);
  });

  it('a task after a failed earlier run runs again', async () => {
    let fail = true;
    const { run, probe } = setup([{ id: 'a', failOn: () => (fail ? boom() : undefined) }, { id: 'b', needs: ['a'] }]);
    await run();
    fail = false;
    probe.calls.clear();
    const second = await run();
    expect(statuses(second)).toEqual({ 'b1/a': 'done', 'b1/b': 'done' });
  });
});

describe('one target node', () => {
  it('runs the node alone with its needs read from the record of an earlier run', async () => {
    const got: unknown[] = [];
    const { run, probe } = setup([
      { id: 'vm', output: () => ({ machine: 'claude-bottle-b1' }) },
      { id: 'skills', needs: ['vm'], output: (_c, needs) => got.push(needs.vm) },
    ]);
    await run();
    probe.calls.clear();
    const result = await run({ target: { item: 'b1', task: 'skills' }, force: true });
    expect([...probe.calls.keys()]).toEqual(['b1/skills']);
    expect(got.at(-1)).toEqual({ machine: 'claude-bottle-b1' });
    expect(statuses(result)).toEqual({ 'b1/skills': 'done' });
  });

  it('says which needs are not done and that --with-deps runs them', async () => {
    const { run } = setup([{ id: 'vm' }, { id: 'net' }, { id: 'skills', needs: ['vm', 'net'] }]);
    await expect(run({ target: { item: 'b1', task: 'skills' } })).rejects.toThrow(
      'task "skills" of b1 needs "vm" (never run), "net" (never run), not done yet; run them first, or add --with-deps to run them now',
    );
  });

  it('with deps runs the node and its ancestors, nothing else', async () => {
    const { run, probe } = setup([{ id: 'prepare' }, { id: 'vm', needs: ['prepare'] }, { id: 'git', needs: ['prepare'] }, { id: 'skills', needs: ['vm'] }]);
    await run({ target: { item: 'b1', task: 'skills', withDeps: true }, items: items('b1', 'b2') });
    expect([...probe.calls.keys()].sort()).toEqual(['b1/prepare', 'b1/skills', 'b1/vm']);
  });

  it('names the valid choices for an unknown task or item', async () => {
    const { run } = setup([{ id: 'a' }]);
    await expect(run({ target: { item: 'b1', task: 'zz' } })).rejects.toThrow('there is no task "zz"; tasks: a');
    await expect(run({ target: { item: 'b9', task: 'a' } })).rejects.toThrow('there is no item "b9" for task "a"; items: b1');
  });
});

describe('options', () => {
  it('rejects bad limits and duplicate items with a sentence saying what was expected', async () => {
    const { run } = setup([{ id: 'a' }]);
    await expect(run({ concurrency: 0 })).rejects.toThrow('concurrency must be a whole number >= 1, got 0 (number)');
    await expect(run({ resources: { docker: 1.5 } })).rejects.toThrow('resource limit "docker" must be a whole number >= 1, got 1.5 (number)');
    await expect(run({ items: items('x', 'x') })).rejects.toThrow('item key "x" appears more than once');
    await expect(run({ items: items('_run') })).rejects.toBeInstanceOf(EngineError);
  });

  it('requires a shared context for run-scoped tasks', async () => {
    const { run } = setup([{ id: 'image', scope: 'run' }]);
    await expect(run({ shared: undefined })).rejects.toThrow(/run-scoped tasks \(image\) but no shared context/);
  });

  it('keeps a TaskError code in the record', async () => {
    const { run } = setup([{ id: 'a', failOn: () => new TaskError('docker is not running', { code: 'DOCKER_DOWN' }) }]);
    const result = await run();
    expect(result.nodes.get('b1/a')!.record.error).toEqual({ message: 'docker is not running', code: 'DOCKER_DOWN', transient: false });
  });
});

describe('records that cannot be written', () => {
  it('fails a node whose success cannot be recorded, blocks its dependents, and never crashes', async () => {
    const clock = new VirtualClock();
    const probe = newProbe();
    const graph = defineGraph([sleepTask({ id: 'a' }, clock, probe), sleepTask({ id: 'b', needs: ['a'] }, clock, probe)]);
    const recorder = memoryRecorder();
    recorder.update = async (_item, _task, entry) => {
      if (entry.status === 'done') throw new Error('ENOSPC: no space left on device');
    };
    const result = await clock.run(runGraph(graph, { items: items('b1'), clock, recorder }));
    expect(statuses(result)).toEqual({ 'b1/a': 'failed', 'b1/b': 'blocked' });
    expect(result.nodes.get('b1/a')!.record.error!.message).toBe('could not record b1/a: ENOSPC: no space left on device');
    expect(result.status).toBe('failed');
  });

  it('counts a failed write of a passing state (running) and marks the run failed', async () => {
    const clock = new VirtualClock();
    const graph = defineGraph([sleepTask({ id: 'a' }, clock, newProbe())]);
    const recorder = memoryRecorder();
    recorder.update = async (_item, _task, entry) => {
      if (entry.status === 'running') throw new Error('EIO');
    };
    const result = await clock.run(runGraph(graph, { items: items('b1'), clock, recorder }));
    expect(statuses(result)).toEqual({ 'b1/a': 'done' });
    expect(result.recordErrors).toEqual([{ message: 'EIO', code: 'ERROR', transient: false }]);
    expect(result.status).toBe('failed');
  });
});
