/**
 * The backends whose labelled objects `bottle doctor` and `bottle ls` look
 * at: each one installed here (a PATH look-up) or used by a bottle of the
 * state root, since objects of other roots live there too. It asks no
 * backend anything.
 */
import { onPath } from '../lib/backends/available.js';
import type { BackendKind } from '../lib/backends/types.js';
import { dockerBinary } from '../lib/docker/binary.js';
import { knownBottles } from '../lib/plan/known-bottles.js';

export function scannedBackends(root: string, env: NodeJS.ProcessEnv): BackendKind[] {
  const used = new Set(knownBottles(root).map((b) => b.plan.backend));
  if (onPath(dockerBinary(env), env)) used.add('docker');
  if (onPath('smolvm', env)) used.add('smolvm');
  return [...used];
}
