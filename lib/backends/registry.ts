/**
 * Picks the implementation of a backend kind. Backends are made per run:
 * each instance keeps that run's inventory (one listing that serves every
 * probe), so a later run never reads an earlier run's snapshot. Docker's is
 * made per engine too (`dockerBackendFor`), so two engines never share a
 * snapshot; the kind alone gives the process's engine. It does not choose
 * which engine a bottle goes to.
 */
import { defaultEndpoint } from '../docker/engine-scope.js';
import { endpointKey, type Endpoint } from '../docker/endpoint.js';
import { createDockerBackend } from './docker/index.js';
import { smolvmBackendFromEnv } from './smolvm/index.js';
import type { Backend, BackendKind } from './types.js';

/** The backends of one run: each made on first use, then the same instance. */
export interface RunBackends {
  /** The backend of a kind; Docker's on the process's engine (DOCKER_HOST, the context, the local socket). */
  (kind: BackendKind): Backend;
  /** The Docker backend on the engine at `endpoint`, one per engine for the run; the process's engine gets the same instance as `('docker')`. */
  dockerBackendFor(endpoint: Endpoint): Backend;
}

export function backendsForRun(): RunBackends {
  const made = new Map<BackendKind, Backend>();
  const backendFor = (kind: BackendKind): Backend => {
    if (!made.has(kind)) made.set(kind, kind === 'docker' ? createDockerBackend() : smolvmBackendFromEnv());
    return made.get(kind)!;
  };
  const onEngines = new Map<string, Backend>();
  const dockerBackendFor = (endpoint: Endpoint): Backend => {
    const key = endpointKey(endpoint);
    if (key === processEngineKey()) return backendFor('docker');
    if (!onEngines.has(key)) onEngines.set(key, createDockerBackend(endpoint));
    return onEngines.get(key)!;
  };
  return Object.assign(backendFor, { dockerBackendFor });
}

/** The process's engine's key, or undefined when its environment names none (then no endpoint is it). */
function processEngineKey(): string | undefined {
  try {
    return endpointKey(defaultEndpoint());
  } catch {
    return undefined;
  }
}

/** Backends that are the same whatever the engine (a dry run's recorders, a test's fake): Docker's per engine is the kind's. */
export function sameOnEveryEngine(backendFor: (kind: BackendKind) => Backend): RunBackends {
  return Object.assign(backendFor, { dockerBackendFor: () => backendFor('docker') });
}
