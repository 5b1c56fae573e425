/**
 * The start graph (`bottle start`): a stopped bottle's machines started
 * again as they are, the bundle first (on smolvm the first machine on the
 * network takes the address the agent's proxy URL names), waiting until
 * each of its daemons answers its health check, then the agent, then the
 * stop mark cleared. It makes nothing: a machine that is gone fails its task
 * with a word to run `bottle up`, which makes it anew. It writes no record.
 */
import { defineGraph, type Graph } from '../lib/engine/index.js';
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { bottleFiles } from '../lib/state/layout.js';
import { clearStopped } from '../lib/state/stop-mark.js';
import { backendOf, bottleTask, op, type RunEnv } from '../tasks/context.js';
import { waitHealthy } from '../tasks/daemons.js';

const resumeBundle = bottleTask({
  id: 'start-bundle',
  title: 'Start bundle',
  resources: [BACKEND_CALLS],
  retry: { attempts: 3, baseMs: 1000 },
  timeoutMs: 120_000,
  run: async (ctx, io) => {
    await backendOf(ctx).resumeMachine(ctx.plan.bundle, op(io));
    await waitHealthy(ctx, io);
  },
});

const resumeMachine = bottleTask({
  id: 'start-machine',
  title: 'Start machine',
  needs: [resumeBundle],
  resources: [BACKEND_CALLS],
  retry: { attempts: 3, baseMs: 1000 },
  run: (ctx, io) => backendOf(ctx).resumeMachine(ctx.plan.machine, op(io)),
});

const unmark = bottleTask({
  id: 'clear-stopped',
  title: 'Clear stop mark',
  needs: [resumeMachine],
  run: (ctx) => clearStopped(bottleFiles(ctx.plan.stateDir).stopped),
});

export function startGraph(): Graph<RunEnv> {
  return defineGraph<RunEnv>([resumeBundle, resumeMachine, unmark]);
}
