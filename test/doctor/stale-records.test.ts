import { describe, expect, it } from 'vitest';
import type { MachineState } from '../../lib/backends/types.js';
import type { ItemRecord } from '../../lib/engine/index.js';
import { findStaleRecords, type StaleRecordInputs } from '../../lib/doctor/stale-records.js';
import type { KnownBottle } from '../../lib/plan/known-bottles.js';
import type { BottlePlan } from '../../lib/plan/types.js';

const MANIFEST = '/work/proj/bottle.yaml';

function bottle(slug: string, made: Record<string, string>, manifest = MANIFEST): KnownBottle {
  const agent = slug.split('-')[0]!;
  const plan = { slug, agent, definition: agent, manifest, backend: 'docker', machine: `claude-bottle-${slug}`, bundle: `claude-bottle-${slug}-bundle`, stateDir: `/state/${slug}` } as BottlePlan;
  const tasks = Object.fromEntries(Object.entries(made).map(([task, status]) => [task, { status, attempts: 1, durationMs: 1 }]));
  return { slug, plan, record: { v: 1, item: slug, tasks } as ItemRecord };
}

/** What the fake backend holds: every machine named here, in its state; the rest missing. */
function inputs(bottles: KnownBottle[], machines: Record<string, MachineState>, over: Partial<StaleRecordInputs> = {}): StaleRecordInputs & { asked: string[][] } {
  const asked: string[][] = [];
  return {
    asked,
    bottles,
    isHeld: () => false,
    status: async (_kind, names) => {
      asked.push([...names]);
      return new Map(names.map((n) => [n, machines[n] ?? 'missing']));
    },
    agentsOf: async () => ['alpha', 'beta'],
    ...over,
  };
}

const UP = { 'start-vm': 'done', daemons: 'up-to-date' };

describe('findStaleRecords', () => {
  it('finds a bottle whose record says its machines were made when one is gone, and brings it up again', async () => {
    const found = await findStaleRecords(inputs([bottle('alpha-11111', UP)], { 'claude-bottle-alpha-11111-bundle': 'running' }));
    expect(found.findings).toEqual([
      {
        kind: 'stale-record',
        subject: 'bottle alpha-11111',
        detail: `the record of agent alpha (${MANIFEST}) says its machines were made, but docker has no claude-bottle-alpha-11111`,
        fix: `bring the bottle up again from ${MANIFEST} (the up graph, as \`bottle up\` runs it)`,
        repair: { type: 'reprovision', plan: expect.objectContaining({ slug: 'alpha-11111' }) },
      },
    ]);
  });

  it('purges a bottle whose manifest, or whose agent in it, is gone', async () => {
    const gone = await findStaleRecords(inputs([bottle('alpha-11111', UP)], {}, { agentsOf: async () => null }));
    expect(gone.findings[0]!.repair?.type).toBe('purge');
    expect(gone.findings[0]!.fix).toMatch(/^its manifest \/work\/proj\/bottle.yaml is gone: take down what is left of the bottle and delete its state dir/);
    const dropped = await findStaleRecords(inputs([bottle('gamma-33333', UP)], {}));
    expect(dropped.findings[0]!.repair?.type).toBe('purge');
    expect(dropped.findings[0]!.fix).toContain('no longer has the agent gamma');
  });

  it('repairs nothing while the manifest does not load, and says what to do', async () => {
    const found = await findStaleRecords(inputs([bottle('alpha-11111', UP)], {}, { agentsOf: () => Promise.reject(new Error('bad YAML at line 3')) }));
    expect(found.findings[0]).toMatchObject({ repair: null, fix: `none: ${MANIFEST} does not load (bad YAML at line 3); fix it, then run \`bottle doctor --fix\` again` });
  });

  it('leaves bottles whose machines are there (stopped too), never made, or held by a live run', async () => {
    const bottles = [bottle('alpha-11111', UP), bottle('beta-22222', { prepare: 'done', 'start-vm': 'failed' }), bottle('held-33333', UP)];
    const machines: Record<string, MachineState> = { 'claude-bottle-alpha-11111': 'stopped', 'claude-bottle-alpha-11111-bundle': 'running' };
    const run = inputs(bottles, machines, { isHeld: (dir) => dir === '/state/held-33333' });
    expect((await findStaleRecords(run)).findings).toEqual([]);
    expect(run.asked).toEqual([['claude-bottle-alpha-11111', 'claude-bottle-alpha-11111-bundle']]);
  });

  it('reports a backend it cannot ask as a problem, not as findings', async () => {
    const found = await findStaleRecords(inputs([bottle('alpha-11111', UP)], {}, { status: () => Promise.reject(new Error('cannot reach dockerd')) }));
    expect(found).toEqual({ findings: [], problems: ['could not ask docker whether the machines of 2 recorded bottle(s) exist: cannot reach dockerd'] });
  });
});
