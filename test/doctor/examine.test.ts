import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Backend, LabelledObject } from '../../lib/backends/types.js';
import { examine, type DoctorOptions } from '../../lib/doctor/examine.js';
import { tempDir } from '../state/temp-dir.js';

/** A Docker backend as doctor sees it: what it lists, and every machine asked about missing. */
function backend(objects: LabelledObject[] | Error): Backend {
  return {
    listLabelled: async () => {
      if (objects instanceof Error) throw objects;
      return objects;
    },
    status: async (names: readonly string[]) => new Map(names.map((n) => [n, 'missing'])),
  } as unknown as Backend;
}

const container = (slug: string, root: string): LabelledObject => ({
  type: 'machine',
  name: `claude-bottle-${slug}`,
  labels: { 'bot-bottle.slug': slug, 'bot-bottle.state-root': root },
});

function options(root: string, docker: Backend): DoctorOptions {
  return { root, scanned: ['docker'], backendFor: () => docker, backendOf: () => docker, agentsOf: async () => null, otherRoots: true, now: Date.now() };
}

describe('examine', () => {
  it('counts a bottle as known by its plan or its record, not by a directory of logs alone', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'planned-11111'));
    await writeFile(join(root, 'planned-11111', 'plan.json'), JSON.stringify({ slug: 'planned-11111', backend: 'docker', stateDir: join(root, 'planned-11111') }));
    await mkdir(join(root, 'recorded-22222'));
    await writeFile(join(root, 'recorded-22222', 'record.json'), JSON.stringify({ v: 1, item: 'recorded-22222', tasks: {} }));
    await mkdir(join(root, 'logs-only-33333', 'logs'), { recursive: true });
    const docker = backend(['planned-11111', 'recorded-22222', 'logs-only-33333', 'never-44444'].map((s) => container(s, root)));
    const { findings, problems } = await examine(options(root, docker));
    expect(findings.map((f) => [f.kind, f.subject])).toEqual([
      ['orphan', 'container claude-bottle-logs-only-33333'],
      ['orphan', 'container claude-bottle-never-44444'],
    ]);
    expect(problems).toEqual([]);
  });

  it('says which backend it could not list, and still checks the state root', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'demo-11111'));
    await writeFile(join(root, 'demo-11111', 'lock'), '');
    const { findings, problems } = await examine(options(root, backend(new Error('cannot reach dockerd'))));
    expect(problems).toEqual(['could not list the objects docker holds of bottles (by their labels): cannot reach dockerd']);
    expect(findings.map((f) => f.kind)).toEqual(['stale-lock']);
  });
});
