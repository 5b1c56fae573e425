/**
 * For `bottle up --dry-run`: the exact commands a fresh up would run, for the
 * bottles whose backend can record them (Backend.recording: today smolvm),
 * found by running the up graph on recording backends, with images only
 * named (lib/images/images.ts), in a scratch state dir deleted afterwards.
 * One node at a time, so each command is told to the task that issued it. It
 * knows no backend and no task by name.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGraph } from '../lib/engine/index.js';
import type { Backend, BackendKind } from '../lib/backends/types.js';
import { sameOnEveryEngine } from '../lib/backends/registry.js';
import { namedImages } from '../lib/images/images.js';
import { bottleFiles } from '../lib/state/layout.js';
import { upGraph } from '../graphs/up.js';
import { oncePerRun, type RunEnv } from '../tasks/context.js';
import type { Session } from './session.js';
import { itemsOf } from './run-locked.js';

export interface SimulatedCommand {
  bottle: string;
  task: string;
  argv: string[];
}

export async function simulate(session: Session): Promise<SimulatedCommand[]> {
  const planned = session.planned.filter((p) => session.runEnv.backend(p.plan.backend).recording);
  if (planned.length === 0) return [];
  const scratch = await mkdtemp(join(tmpdir(), 'bottle-dry-run-'));
  const commands: SimulatedCommand[] = [];
  let current = { bottle: '', task: '' };
  try {
    // Shown with the real state root, as a real run would write them.
    const real = (arg: string) => arg.split(scratch).join(session.stateRoot);
    const record = (file: string, args: readonly string[]) => commands.push({ ...current, argv: [file, ...args].map(real) });
    const recorders = new Map<BackendKind, Backend>();
    const backend = (kind: BackendKind): Backend => {
      if (!recorders.has(kind)) recorders.set(kind, session.runEnv.backend(kind).recording!(record));
      return recorders.get(kind)!;
    };
    const runEnv: RunEnv = { ...session.runEnv, stateRoot: scratch, images: namedImages, backend: sameOnEveryEngine(backend), once: oncePerRun() };
    // The plans point into the real state root: the simulation writes into the scratch one instead.
    const moved = planned.map((p) => {
      const stateDir = join(scratch, p.plan.slug);
      return { ...p, plan: { ...p.plan, stateDir, promptFile: bottleFiles(stateDir).prompt } };
    });
    await runGraph(upGraph(), {
      items: itemsOf({ ...session, stateRoot: scratch, planned: moved, runEnv }),
      shared: runEnv,
      concurrency: 1,
      onEvent: (e) => {
        if (e.type === 'node-start') current = { bottle: e.item, task: e.task };
      },
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return commands;
}
