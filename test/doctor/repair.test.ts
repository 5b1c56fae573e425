import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Backend, LabelledObject } from '../../lib/backends/types.js';
import type { Finding } from '../../lib/doctor/finding.js';
import { repair, type RepairHooks } from '../../lib/doctor/repair.js';
import type { BottlePlan } from '../../lib/plan/types.js';
import { tempDir } from '../state/temp-dir.js';

const plan = (slug: string) => ({ slug }) as BottlePlan;
const object = (type: LabelledObject['type'], name: string): LabelledObject => ({ type, name, labels: { 'bot-bottle.slug': 'x-11111' } });

function finding(kind: Finding['kind'], subject: string, repair: Finding['repair']): Finding {
  return { kind, subject, detail: '', fix: '', repair };
}

/** Hooks that record what they were asked, in order; `fails` names what fails. */
function hooks(fails: string[] = []): RepairHooks & { done: string[] } {
  const done: string[] = [];
  const act = async (what: string) => {
    if (fails.includes(what)) throw new Error(`${what} refused`);
    done.push(what);
  };
  const backend = {
    removeMachine: (name: string) => act(`rm ${name}`),
    removeNetwork: (spec: { name: string; egress: { name: string } }) => act(`network rm ${spec.name} (and ${spec.egress.name} if unused)`),
  } as unknown as Backend;
  const bottles = (verb: string) => async (plans: readonly BottlePlan[]) => {
    done.push(`${verb} ${plans.map((p) => p.slug).join(' ')}`);
    return new Map(plans.filter((p) => fails.includes(`${verb} ${p.slug}`)).map((p) => [p.slug, 'start-vm failed: no image']));
  };
  return { done, backendFor: () => backend, egressOf: () => 'claude-bottle-egress-10-213', reprovision: bottles('up'), purge: bottles('purge') };
}

describe('repair', () => {
  it('repairs in an order that pulls nothing from under the next repair, bottles in one run per kind', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'demo-11111'));
    const temp = join(root, 'demo-11111', '.plan.json.abc123.tmp');
    await writeFile(temp, '');
    const h = hooks();
    const findings = [
      finding('stale-record', 'bottle b-22222', { type: 'purge', plan: plan('b-22222') }),
      finding('orphan', 'network claude-bottle-x-11111', { type: 'remove-object', backend: 'docker', object: object('network', 'claude-bottle-x-11111') }),
      finding('stale-record', 'bottle a-11111', { type: 'reprovision', plan: plan('a-11111') }),
      finding('orphan', 'container claude-bottle-x-11111', { type: 'remove-object', backend: 'docker', object: object('machine', 'claude-bottle-x-11111') }),
      finding('stale-record', 'bottle c-33333', { type: 'reprovision', plan: plan('c-33333') }),
      finding('temp-file', temp, { type: 'remove-path', path: temp }),
    ];
    const result = await repair(findings, h);
    expect(h.done).toEqual([
      'rm claude-bottle-x-11111',
      'network rm claude-bottle-x-11111 (and claude-bottle-egress-10-213 if unused)',
      'up a-11111 c-33333',
      'purge b-22222',
    ]);
    expect(await readdir(join(root, 'demo-11111'))).toEqual([]);
    expect(result.fixed).toHaveLength(6);
    expect(result.failed).toEqual([]);
  });

  it('goes on past a repair that fails, and says which and why', async () => {
    const h = hooks(['rm claude-bottle-x-11111', 'up a-11111']);
    const findings = [
      finding('orphan', 'container claude-bottle-x-11111', { type: 'remove-object', backend: 'docker', object: object('machine', 'claude-bottle-x-11111') }),
      finding('stale-record', 'bottle a-11111', { type: 'reprovision', plan: plan('a-11111') }),
      finding('stale-record', 'bottle c-33333', { type: 'reprovision', plan: plan('c-33333') }),
      finding('stale-record', 'bottle d-44444', { type: 'purge', plan: plan('d-44444') }),
      finding('stale-record', 'bottle e-55555', null),
    ];
    const result = await repair(findings, h);
    expect(result.failed.map((f) => [f.finding.subject, f.error])).toEqual([
      ['container claude-bottle-x-11111', 'rm claude-bottle-x-11111 refused'],
      ['bottle a-11111', 'start-vm failed: no image'],
    ]);
    expect(result.fixed.map((f) => f.subject)).toEqual(['bottle c-33333', 'bottle d-44444']);
  });
});
