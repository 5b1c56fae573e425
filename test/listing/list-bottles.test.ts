/**
 * `bottle ls`'s listing over a state root written the way `bottle up` leaves
 * it (plan.json and record.json per bottle), bottles of two manifests side
 * by side, against a backend faked at its boundary (what it lists by label,
 * what it says of each machine).
 */
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Backend, LabelledObject, MachineState } from '../../lib/backends/types.js';
import type { ItemRecord } from '../../lib/engine/index.js';
import { listBottles } from '../../lib/listing/list-bottles.js';
import { tempDir } from '../state/temp-dir.js';

const TASKS = ['prepare', 'network', 'gate-repo', 'daemons', 'start-vm', 'prompt', 'skills', 'ca', 'git', 'supervise', 'ready'];

/** A Docker backend that has these machines, in these states, and lists these labelled objects. */
function docker(machines: Record<string, MachineState>, objects: LabelledObject[] = []): Backend {
  return {
    listLabelled: async () => objects,
    status: async (names: readonly string[]) => new Map(names.map((n) => [n, machines[n] ?? 'missing'])),
  } as unknown as Backend;
}

/** A bottle of `manifest` brought up at `startedAt`, its plan written at `planAt`. */
async function bottle(root: string, slug: string, manifest: string, options: { startedAt?: string; planAt?: Date; record?: boolean } = {}) {
  const dir = join(root, slug);
  await mkdir(dir, { recursive: true });
  const agent = slug.split('-')[0]!;
  const plan = { manifest, agent, definition: agent, slug, backend: 'docker', machine: `claude-bottle-${slug}`, bundle: `claude-bottle-${slug}-bundle`, stateDir: dir };
  await writeFile(join(dir, 'plan.json'), JSON.stringify(plan));
  if (options.planAt) await utimes(join(dir, 'plan.json'), options.planAt, options.planAt);
  if (options.record !== false) {
    const record: ItemRecord = {
      v: 1,
      item: slug,
      tasks: Object.fromEntries(TASKS.map((t) => [t, { status: 'done', attempts: 1, durationMs: 5, ...(options.startedAt ? { startedAt: options.startedAt } : {}) }])),
    };
    await writeFile(join(dir, 'record.json'), JSON.stringify(record));
  }
  return plan;
}

const noLocks = () => false;

describe('listBottles', () => {
  it('lists every manifest\'s bottles with its agent, manifest, backend, state and when it was first made', async () => {
    const root = await tempDir();
    const a = await bottle(root, 'alpha-11111', '/work/one/bottle.yaml', { startedAt: '2026-01-02T03:04:05.000Z', planAt: new Date('2026-01-02T03:04:06Z') });
    const b = await bottle(root, 'beta-22222', '/work/two/bottle.yaml', { startedAt: '2026-01-03T00:00:00.000Z', planAt: new Date('2026-01-02T00:00:00Z') });
    const backend = docker({ [a.machine]: 'running', [a.bundle]: 'running', [b.machine]: 'stopped', [b.bundle]: 'stopped' });
    const { bottles, problems } = await listBottles({ root, backendFor: () => backend, backendOf: () => backend, scanned: ['docker'], isHeld: noLocks });
    expect(problems).toEqual([]);
    expect(bottles).toEqual([
      { agent: 'alpha', slug: 'alpha-11111', manifest: '/work/one/bottle.yaml', backend: 'docker', state: 'up', createdAt: '2026-01-02T03:04:05.000Z', machines: { agent: 'running', bundle: 'running' } },
      { agent: 'beta', slug: 'beta-22222', manifest: '/work/two/bottle.yaml', backend: 'docker', state: 'stopped', createdAt: '2026-01-02T00:00:00.000Z', machines: { agent: 'stopped', bundle: 'stopped' } },
    ]);
  });

  it('lists a bottle only objects labelled for this root are left of as orphaned, one row for its machines and network; other roots\' objects are not listed', async () => {
    const root = await tempDir();
    const label = (slug: string, labelRoot: string, extra: Record<string, string> = {}) => ({ 'bot-bottle.slug': slug, 'bot-bottle.agent': 'ghost', 'bot-bottle.state-root': labelRoot, ...extra });
    const objects: LabelledObject[] = [
      { type: 'machine', name: 'claude-bottle-ghost-33333', labels: label('ghost-33333', root, { 'bot-bottle.role': 'agent' }) },
      { type: 'machine', name: 'claude-bottle-ghost-33333-bundle', labels: label('ghost-33333', root, { 'bot-bottle.role': 'bundle' }) },
      { type: 'network', name: 'claude-bottle-ghost-33333', labels: label('ghost-33333', root) },
      { type: 'machine', name: 'claude-bottle-other-44444', labels: label('other-44444', '/elsewhere/state') },
    ];
    const backend = docker({ 'claude-bottle-ghost-33333': 'running', 'claude-bottle-ghost-33333-bundle': 'stopped' }, objects);
    const { bottles } = await listBottles({ root, backendFor: () => backend, backendOf: () => backend, scanned: ['docker'], isHeld: noLocks });
    expect(bottles).toEqual([
      { agent: 'ghost', slug: 'ghost-33333', manifest: null, backend: 'docker', state: 'orphaned', createdAt: null, machines: { agent: 'running', bundle: 'stopped' } },
    ]);
  });

  it('says orphaned for a record whose machine is gone, down for a bottle taken down, busy for one a run holds', async () => {
    const root = await tempDir();
    const gone = await bottle(root, 'gone-55555', '/m/bottle.yaml');
    const downed = await bottle(root, 'downed-66666', '/m/bottle.yaml', { record: false });
    const held = await bottle(root, 'held-77777', '/m/bottle.yaml');
    const backend = docker({ [gone.bundle]: 'running', [held.machine]: 'running' });
    const { bottles } = await listBottles({ root, backendFor: () => backend, backendOf: () => backend, scanned: ['docker'], isHeld: (dir) => dir === held.stateDir });
    expect(Object.fromEntries(bottles.map((b) => [b.slug, b.state]))).toEqual({ 'downed-66666': 'down', 'gone-55555': 'orphaned', 'held-77777': 'busy' });
    expect(bottles.find((b) => b.slug === downed.slug)?.createdAt).not.toBeNull();
  });

  it('says unknown, and why, when the backend cannot be asked', async () => {
    const root = await tempDir();
    await bottle(root, 'alpha-11111', '/m/bottle.yaml');
    const down = {
      listLabelled: async () => Promise.reject(new Error('cannot reach dockerd')),
      status: async () => Promise.reject(new Error('cannot reach dockerd')),
    } as unknown as Backend;
    const { bottles, problems } = await listBottles({ root, backendFor: () => down, backendOf: () => down, scanned: ['docker'], isHeld: noLocks });
    expect(bottles.map((b) => [b.slug, b.state, b.machines])).toEqual([['alpha-11111', 'unknown', null]]);
    expect(problems).toEqual([
      'could not list what docker holds of bottles (by their labels): cannot reach dockerd',
      'could not ask docker what the machines of 1 bottle(s) are: cannot reach dockerd',
    ]);
  });
});
