/**
 * "The first backend available" for bottles that name none
 * (docs/architecture.md, "Data flow"): docker when its CLI is on PATH, else
 * smolvm when its CLI is, else docker (whose tasks then say how to install
 * it). A PATH look-up only; nothing is run.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { dockerBinary } from '../docker/binary.js';
import type { BackendKind } from './types.js';

export function onPath(binary: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function firstAvailableBackend(env: NodeJS.ProcessEnv = process.env): BackendKind {
  if (onPath(dockerBinary(env), env)) return 'docker';
  if (onPath('smolvm', env)) return 'smolvm';
  return 'docker';
}
