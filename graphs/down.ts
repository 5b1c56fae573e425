/**
 * The down graph: the up graph in reverse — the agent machine, then the
 * bundle (and its volumes, once what it wrote is home), then the networks;
 * with `purge`, the bottle's state dir last.
 */
import { rm } from 'node:fs/promises';
import { defineGraph, type Graph } from '../lib/engine/index.js';
import { recordFile } from '../lib/state/layout.js';
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { backendOf, bottleTask, op, type RunEnv } from '../tasks/context.js';
import { bringBundleHome, removeBundleVolumes } from '../lib/provision/bundle-sync.js';

const removeMachine = bottleTask({
  id: 'remove-machine',
  title: 'Remove machine',
  resources: [BACKEND_CALLS],
  retry: { attempts: 3 },
  run: (ctx, io) => backendOf(ctx).removeMachine(ctx.plan.machine, op(io)),
});

/**
 * The bundle, and its volumes where it has them (lib/provision/bundle-sync.ts);
 * `bringHome`: what it wrote is pulled into the state dir first (not when
 * purging: the state dir goes).
 */
function bundleRemoval(bringHome: boolean) {
  return bottleTask({
    id: 'remove-bundle',
    title: 'Remove bundle',
    needs: [removeMachine],
    resources: [BACKEND_CALLS],
    retry: { attempts: 3 },
    run: async (ctx, io) => {
      const backend = backendOf(ctx);
      if (bringHome) await bringBundleHome(backend, ctx.plan, op(io));
      await backend.removeMachine(ctx.plan.bundle, op(io));
      await removeBundleVolumes(backend, ctx.plan, op(io));
    },
  });
}

const removeBundle = bundleRemoval(true);

const removeNetwork = bottleTask({
  id: 'remove-network',
  title: 'Remove network',
  needs: [removeBundle],
  resources: [BACKEND_CALLS],
  retry: { attempts: 3 },
  run: (ctx, io) => backendOf(ctx).removeNetwork(ctx.plan.network, op(io)),
});

/** Without purge, only the records go: prompt, CA and logs stay for the next up. */
const forget = bottleTask({
  id: 'forget',
  title: 'Forget records',
  needs: [removeNetwork],
  run: (ctx) => rm(recordFile(ctx.stateRoot, ctx.plan.slug), { force: true }),
});

const purge = bottleTask({
  id: 'purge',
  title: 'Purge state',
  needs: [removeNetwork],
  run: (ctx) => rm(ctx.plan.stateDir, { recursive: true, force: true }),
});

export function downGraph(options: { purge: boolean }): Graph<RunEnv> {
  return defineGraph<RunEnv>([removeMachine, options.purge ? bundleRemoval(false) : removeBundle, removeNetwork, options.purge ? purge : forget]);
}
