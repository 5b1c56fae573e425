import { describe, expect, it } from 'vitest';
import { lowerBound, type GraphTask } from '../../bench/up/lower-bound.js';

const tasks: GraphTask[] = [
  { id: 'image', scope: 'run', resources: ['docker-build'] },
  { id: 'start', needs: ['image'], resources: ['backend'] },
  { id: 'ready', needs: ['start'] },
];

describe('the lower bound of a bench run', () => {
  it('follows the longest chain through a run-scoped need', () => {
    const b = lowerBound(
      [
        { bottle: '_run', task: 'image', durationMs: 1000 },
        { bottle: 'a', task: 'start', durationMs: 200 },
        { bottle: 'a', task: 'ready', durationMs: 300 },
        { bottle: 'b', task: 'start', durationMs: 100 },
      ],
      tasks,
      32,
    );
    expect(b.chain).toEqual(['_run/image', 'a/start', 'a/ready']);
    expect(b.chainMs).toBe(1500);
    expect(b.boundMs).toBe(1500);
  });

  it('counts the work of a named limit over its slots when that is the largest', () => {
    const ends = Array.from({ length: 10 }, (_, i) => ({ bottle: `b${i}`, task: 'start', durationMs: 400 }));
    const b = lowerBound(ends, tasks, 32, { backend: 2, 'docker-build': 1 });
    expect(b.limit).toEqual({ name: 'backend', slots: 2, workMs: 4000 });
    expect(b.boundMs).toBe(2000);
    expect(lowerBound(ends, tasks, 32).boundMs).toBe(400);
  });

  it('refuses a run that reports a task the graph does not have', () => {
    expect(() => lowerBound([{ bottle: 'a', task: 'nope', durationMs: 1 }], tasks, 4)).toThrow(/does not have: nope/);
  });
});
