/**
 * Picks the implementation of a backend kind. Backends are made per run:
 * each instance keeps that run's inventory (one listing that serves every
 * probe), so a later run never reads an earlier run's snapshot.
 */
import { createDockerBackend } from './docker/index.js';
import { smolvmBackendFromEnv } from './smolvm/index.js';
import type { Backend, BackendKind } from './types.js';

/** The backends of one run: each kind made on first use, then the same instance. */
export function backendsForRun(): (kind: BackendKind) => Backend {
  const made = new Map<BackendKind, Backend>();
  return (kind) => {
    if (!made.has(kind)) made.set(kind, kind === 'docker' ? createDockerBackend() : smolvmBackendFromEnv());
    return made.get(kind)!;
  };
}
