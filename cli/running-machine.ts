/** The backend of a bottle whose agent machine runs (`bottle cp`, `bottle port`), or a UsageError saying to bring it up. */
import { backendOfBottle } from './bottle-backend.js';
import type { Backend } from '../lib/backends/types.js';
import type { KnownBottle } from '../lib/plan/known-bottles.js';
import { UsageError } from './usage-error.js';

export async function backendOfRunning({ plan }: KnownBottle, signal: AbortSignal): Promise<Backend> {
  const backend = await backendOfBottle(plan);
  const state = (await backend.status([plan.machine], { fresh: true, signal })).get(plan.machine) ?? 'missing';
  if (state !== 'running') throw new UsageError(`the machine of agent "${plan.agent}" is ${state}; run \`bottle up ${plan.agent}\` first`);
  return backend;
}
