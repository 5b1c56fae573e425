/**
 * The backend of a bottle the state root knows, for commands that reopen it
 * (exec, attach, logs, cp, port, status): Docker on the engine its plan says
 * it was placed on. Loaded on first use, so commands that only read the
 * state root stay instant; one set of backends for the process.
 */
import type { Backend } from '../lib/backends/types.js';
import type { RunBackends } from '../lib/backends/registry.js';
import type { BottlePlan } from '../lib/plan/types.js';

let backends: RunBackends | undefined;

export async function backendOfBottle(plan: Pick<BottlePlan, 'backend' | 'host'>): Promise<Backend> {
  const [{ backendsForRun }, { backendOfPlan }] = await Promise.all([import('../lib/backends/registry.js'), import('../lib/hosts/backend-of-plan.js')]);
  backends ??= backendsForRun();
  return backendOfPlan(backends, plan);
}
