import { describe, expect, it } from 'vitest';
import { statusLines, taskSummary, totalLine, type BottleStatus } from '../../lib/report/status-table.js';

const bottle = (agent: string, state: BottleStatus['state'], tasks: BottleStatus['tasks'] = {}): BottleStatus => ({ agent, slug: `${agent}-ab12c`, backend: 'docker', state, tasks });

describe('bottle status for people', () => {
  it('counts tasks in a fixed order: ended well, moving, waiting, ended badly', () => {
    expect(taskSummary({ ready: { status: 'blocked' }, ca: { status: 'failed' }, git: { status: 'done' }, prompt: { status: 'up-to-date' }, skills: { status: 'running' } })).toBe(
      '1 done, 1 up to date, 1 running, 1 failed, 1 blocked',
    );
    expect(taskSummary({})).toBe('-');
  });

  it('totals the bottles by state, in the order of states', () => {
    expect(totalLine([bottle('a', 'partial'), bottle('b', 'failed'), bottle('c', 'ready'), bottle('d', 'ready')])).toBe('4 bottles: 2 ready, 1 failed, 1 partial');
    expect(totalLine([bottle('a', 'down')])).toBe('1 bottle: 1 down');
  });

  it("lists bottles in their agents' natural order, and a record that cannot be read after the failures", () => {
    const lines = statusLines(
      [bottle('r-10', 'ready'), bottle('r-2', 'failed', { ca: { status: 'failed', error: 'no' } }), { ...bottle('r-1', 'down'), problem: 'record.json cannot be read' }],
      { columns: 80, logPath: (slug, task) => `/s/${slug}/${task}.log` },
    );
    expect(lines.slice(1, 4).map((l) => l.split(' ')[0])).toEqual(['r-1', 'r-2', 'r-10']);
    expect(lines.slice(4)).toEqual(['3 bottles: 1 ready, 1 failed, 1 down', 'Failures:', '  r-2-ab12c ca: no', '    log: /s/r-2-ab12c/ca.log', 'r-1-ab12c: record.json cannot be read']);
  });

  it('adds MACHINE when probed', () => {
    const lines = statusLines([{ ...bottle('a', 'ready'), machine: 'running' }], { columns: 80, logPath: () => '' });
    expect(lines[0]).toMatch(/^AGENT +SLUG +STATE +TASKS +MACHINE$/);
    expect(lines[1]).toMatch(/^a +a-ab12c +ready +- +running$/);
  });
});
