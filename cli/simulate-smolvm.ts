/**
 * For `bottle up --dry-run` on smolvm bottles: the exact commands a fresh up
 * would run, found by running the up graph on a smolvm backend whose runner
 * records instead of running (lib/backends/smolvm/dry-run.ts), in a scratch
 * state dir that is deleted afterwards. Images are not built: their tasks
 * only name the tags a build would give. One node at a time, so each command
 * is told to the task that issued it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineGraph, runGraph, type TaskDef } from '../lib/engine/index.js';
import { dryRunSmolvmBackend } from '../lib/backends/smolvm/dry-run.js';
import { baseImageName } from '../lib/images/base-image.js';
import { UP_TASKS } from '../graphs/up.js';
import { plannedAgentImage } from '../tasks/agent-image.js';
import { plannedBundleImage } from '../tasks/bundle-image.js';
import type { RunEnv } from '../tasks/context.js';
import type { Session } from './session.js';
import { itemsOf } from './run-locked.js';

export interface SimulatedCommand {
  bottle: string;
  task: string;
  argv: string[];
}

const PLANNED_IMAGE: Record<string, (base: string) => Promise<string>> = {
  'base-image': async () => baseImageName(),
  'agent-image': plannedAgentImage,
  'bundle-image': plannedBundleImage,
};

/** The up graph with image tasks that name their tags instead of building. */
function simulationGraph() {
  return defineGraph<RunEnv>(
    UP_TASKS.map((task): TaskDef<RunEnv> => {
      const planned = PLANNED_IMAGE[task.id];
      if (!planned) return task as TaskDef<RunEnv>;
      return { ...task, isDone: undefined, run: async (_ctx, io) => ({ image: await planned((io.needs['base-image'] as { image?: string })?.image ?? '') }) };
    }),
  );
}

export async function simulateSmolvm(session: Session): Promise<SimulatedCommand[]> {
  const planned = session.planned.filter((p) => p.plan.backend === 'smolvm');
  if (planned.length === 0) return [];
  const scratch = await mkdtemp(join(tmpdir(), 'bottle-dry-run-'));
  const commands: SimulatedCommand[] = [];
  let current = { bottle: '', task: '' };
  try {
    // Shown with the real state root, as a real run would write them.
    const real = (arg: string) => arg.split(scratch).join(session.stateRoot);
    const smolvm = dryRunSmolvmBackend((file, args) => commands.push({ ...current, argv: [file, ...args].map(real) }));
    const runEnv: RunEnv = { ...session.runEnv, stateRoot: scratch, backend: (kind) => (kind === 'smolvm' ? smolvm : session.runEnv.backend(kind)) };
    // The plans point into the real state root: the simulation writes into the scratch one instead.
    const moved = planned.map((p) => {
      const stateDir = join(scratch, p.plan.slug);
      return { ...p, plan: { ...p.plan, stateDir, promptFile: join(stateDir, 'agent', 'prompt.txt') } };
    });
    const sim: Session = { ...session, stateRoot: scratch, planned: moved, runEnv };
    await runGraph(simulationGraph(), {
      items: itemsOf(sim),
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
