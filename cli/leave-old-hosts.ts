/**
 * A bottle `up --reschedule` moves to another host leaves nothing behind on
 * the host it leaves, where that host answers: its machines, network and
 * bundle volumes there are removed, under the bottle's lock, before the run
 * brings it up on its new host. Where the old host does not answer, what is
 * left there is named, to be removed by hand once it does (no plan points
 * there any more).
 */
import { backendOfPlan } from '../lib/hosts/backend-of-plan.js';
import { removeBundleVolumes } from '../lib/provision/bundle-sync.js';
import type { BottlePlan } from '../lib/plan/types.js';
import type { RunBackends } from '../lib/backends/registry.js';

export interface Move {
  /** The bottle's plan as it was on the host it leaves. */
  from: BottlePlan;
  /** The host it goes to. */
  to: string;
  /** Whether the host it leaves answered when the run began. */
  reachable: boolean;
}

export async function leaveOldHosts(moves: readonly Move[], backends: RunBackends, say: (line: string) => void, signal: AbortSignal): Promise<void> {
  await Promise.all(
    moves.map(async ({ from, to, reachable }) => {
      const where = `host ${from.host?.name ?? 'local'}`;
      const objects = `containers ${from.machine} and ${from.bundle}, network ${from.network.name}`;
      if (!reachable) {
        say(`bottle: ${from.agent} moves to host ${to}; ${where} does not answer, so its ${objects} (and volumes labelled bot-bottle.slug=${from.slug}) stay there: remove them once it answers`);
        return;
      }
      const backend = backendOfPlan(backends, from);
      const options = { signal };
      await backend.removeMachine(from.machine, options);
      await backend.removeMachine(from.bundle, options);
      await removeBundleVolumes(backend, from, options);
      await backend.removeNetwork(from.network, options);
      say(`bottle: ${from.agent} moves to host ${to}; its ${objects} on ${where} are removed`);
    }),
  );
}
