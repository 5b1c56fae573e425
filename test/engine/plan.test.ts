import { describe, expect, it } from 'vitest';
import { defineGraph } from '../../lib/engine/graph.js';
import { planRun } from '../../lib/engine/plan.js';
import { runGraph } from '../../lib/engine/scheduler.js';
import { memoryRecorder } from '../../lib/engine/recorder.js';
import { VirtualClock } from '../helpers/virtual-clock.js';
import { items, newProbe, sleepTask, type SleepTaskSpec } from '../helpers/graphs.js';

function setup(specs: SleepTaskSpec[]) {
  const clock = new VirtualClock();
  const probe = newProbe();
  const graph = defineGraph(specs.map((s) => sleepTask(s, clock, probe)));
  const recorder = memoryRecorder();
  const options = { items: items('b1'), clock, recorder };
  return { clock, probe, graph, recorder, options };
}

const actions = (plan: { item: string; task: string; action: string; reason: string }[]) =>
  Object.fromEntries(plan.map((p) => [`${p.item}/${p.task}`, `${p.action}: ${p.reason}`]));

describe('planRun', () => {
  it('says everything runs the first time, runs nothing and writes nothing', async () => {
    const { graph, probe, recorder, options } = setup([{ id: 'a' }, { id: 'b', needs: ['a'] }]);
    expect(actions(await planRun(graph, options))).toEqual({ 'b1/a': 'run: never run', 'b1/b': 'run: never run' });
    expect(probe.calls.size).toBe(0);
    expect(recorder.records.size).toBe(0);
  });

  it('agrees with the scheduler: what it calls up to date, a run does not run', async () => {
    let version = 1;
    let present = true;
    const { clock, graph, probe, options } = setup([
      { id: 'prepare' },
      { id: 'vm', needs: ['prepare'], isDone: () => present },
      { id: 'prompt', needs: ['vm'], fingerprint: () => version },
      { id: 'skills', needs: ['vm'] },
      { id: 'ready', needs: ['prompt', 'skills'] },
    ]);
    await clock.run(runGraph(graph, options));
    expect(Object.values(actions(await planRun(graph, options))).every((a) => a === 'up-to-date: up to date')).toBe(true);

    version = 2;
    const plan = actions(await planRun(graph, options));
    expect(plan).toEqual({
      'b1/prepare': 'up-to-date: up to date',
      'b1/vm': 'up-to-date: up to date',
      'b1/prompt': 'run: inputs changed',
      'b1/skills': 'up-to-date: up to date',
      'b1/ready': 'run: needs prompt, which will run',
    });
    probe.calls.clear();
    await clock.run(runGraph(graph, options));
    expect([...probe.calls.keys()].sort()).toEqual(['b1/prompt', 'b1/ready']);

    present = false;
    expect(actions(await planRun(graph, options))['b1/vm']).toBe('run: its effect is gone');
    expect(actions(await planRun(graph, { ...options, force: ['skills'] }))['b1/skills']).toBe('run: forced');
  });
});
