/** What `bottle ls` calls a bottle, from its record, its lock and its machines (lib/listing/bottle-state.ts). */
import { describe, expect, it } from 'vitest';
import type { ItemRecord, Status } from '../../lib/engine/index.js';
import { judgeState, type BottleMachines, type JudgeInputs } from '../../lib/listing/bottle-state.js';

const UP_TASKS = ['prepare', 'network', 'gate-repo', 'daemons', 'start-vm', 'prompt', 'skills', 'ca', 'git', 'supervise', 'ready'];

function record(overrides: Record<string, Status> = {}, tasks = UP_TASKS): ItemRecord {
  const statuses: Record<string, Status> = { ...Object.fromEntries(tasks.map((t) => [t, 'done' as Status])), ...overrides };
  return { v: 1, item: 'alpha-ab12c', tasks: Object.fromEntries(Object.entries(statuses).map(([t, status]) => [t, { status, attempts: 1, durationMs: 5 }])) };
}

const both = (agent: BottleMachines['agent'], bundle: BottleMachines['bundle'] = agent): BottleMachines => ({ agent, bundle });
const judge = (inputs: Partial<JudgeInputs>) => judgeState({ known: true, record: record(), held: false, machines: both('running'), ...inputs });

describe('judgeState', () => {
  it('up: both machines run and the last run got to ready, all of it done or up to date', () => {
    expect(judge({})).toBe('up');
    expect(judge({ record: record({ ready: 'up-to-date', ca: 'up-to-date' }) })).toBe('up');
  });

  it('stopped: both machines exist and neither runs', () => {
    expect(judge({ machines: both('stopped') })).toBe('stopped');
  });

  it('partial: one machine runs and the other is stopped, or a run did not get to ready or left a task unfinished', () => {
    expect(judge({ machines: both('running', 'stopped') })).toBe('partial');
    expect(judge({ machines: both('stopped', 'running') })).toBe('partial');
    expect(judge({ record: record({ ready: 'cancelled' }) })).toBe('partial');
    expect(judge({ record: record({}, UP_TASKS.slice(0, 6)) })).toBe('partial');
    expect(judge({ record: record({ prompt: 'running' }) })).toBe('partial');
  });

  it('failed: a task of the last run failed, whatever the machines are', () => {
    expect(judge({ record: record({ ca: 'failed', ready: 'blocked' }) })).toBe('failed');
    expect(judge({ record: record({ ca: 'failed' }), machines: both('stopped') })).toBe('failed');
  });

  it('orphaned: the record says a machine was made and it is gone', () => {
    expect(judge({ machines: both('missing', 'running') })).toBe('orphaned');
    expect(judge({ machines: both('stopped', 'missing') })).toBe('orphaned');
    expect(judge({ machines: both('missing'), record: record({ ca: 'failed' }) })).toBe('orphaned');
  });

  it('orphaned: objects labelled for the root, which holds nothing of the bottle', () => {
    expect(judge({ known: false, record: null, machines: both('running') })).toBe('orphaned');
  });

  it('not orphaned while no run has made the machine it misses: a first run that failed before it is failed', () => {
    expect(judge({ record: record({ daemons: 'failed', 'start-vm': 'blocked', ready: 'blocked' }), machines: both('missing') })).toBe('failed');
  });

  it('down: the state is kept, with no record and no machines', () => {
    expect(judge({ record: null, machines: both('missing') })).toBe('down');
  });

  it('busy: a live run holds it, whatever else is true', () => {
    expect(judge({ held: true, machines: both('missing'), record: record({ ca: 'failed' }) })).toBe('busy');
  });

  it('unknown: its backend could not be asked', () => {
    expect(judge({ machines: null })).toBe('unknown');
  });
});
