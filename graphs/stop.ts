/**
 * The stop graph (`bottle stop`): the agent machine, then the bundle (its
 * only way out outlives it), each stopped and kept as it is (disk, config,
 * networks, id), then the bottle marked stopped (lib/state/stop-mark.ts).
 * It removes nothing and writes no record: the up graph's record stays, so
 * `bottle start` or `bottle up` brings the same machines back.
 */
import { defineGraph, type Graph } from '../lib/engine/index.js';
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { bottleFiles } from '../lib/state/layout.js';
import { markStopped } from '../lib/state/stop-mark.js';
import { backendOf, bottleTask, op, type RunEnv } from '../tasks/context.js';

export interface StopOptions {
  /** How long each machine's main process may take to exit before it is killed (where the backend waits). */
  graceSeconds: number;
}

export function stopGraph(options: StopOptions): Graph<RunEnv> {
  const stopMachine = bottleTask({
    id: 'stop-machine',
    title: 'Stop machine',
    resources: [BACKEND_CALLS],
    retry: { attempts: 3 },
    run: (ctx, io) => backendOf(ctx).stopMachine(ctx.plan.machine, { ...op(io), graceSeconds: options.graceSeconds }),
  });

  const stopBundle = bottleTask({
    id: 'stop-bundle',
    title: 'Stop bundle',
    needs: [stopMachine],
    resources: [BACKEND_CALLS],
    retry: { attempts: 3 },
    run: (ctx, io) => backendOf(ctx).stopMachine(ctx.plan.bundle, { ...op(io), graceSeconds: options.graceSeconds }),
  });

  const markBottle = bottleTask({
    id: 'mark-stopped',
    title: 'Mark stopped',
    needs: [stopBundle],
    run: (ctx) => markStopped(bottleFiles(ctx.plan.stateDir).stopped, new Date()),
  });

  return defineGraph<RunEnv>([stopMachine, stopBundle, markBottle]);
}
