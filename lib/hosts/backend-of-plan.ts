/**
 * The backend a bottle's plan says it lives on: Docker on the engine of the
 * host it was placed on (its plan keeps how to reach it), else the run's
 * backend of its kind (the process's engine; smolvm). One backend per engine
 * for the run (lib/backends/registry.ts), so every task and command of a
 * bottle talks to its own engine and no other. The host's endpoint is made
 * once per run (it reads the TLS files).
 */
import { LOCAL_HOST } from '../manifest/defaults.js';
import type { RunBackends } from '../backends/registry.js';
import type { Backend } from '../backends/types.js';
import type { BottlePlan, PlacedHost } from '../plan/types.js';
import { endpointOfManifestHost } from './host-endpoints.js';

const madeFor = new WeakMap<RunBackends, Map<string, Backend>>();

export function backendOfPlan(backends: RunBackends, plan: Pick<BottlePlan, 'backend' | 'host'>, env: NodeJS.ProcessEnv = process.env): Backend {
  if (plan.backend !== 'docker' || !isRemote(plan.host)) return backends(plan.backend);
  return dockerBackendOnHost(backends, plan.host, env);
}

/** The Docker backend on a placed host's engine, for this run. */
export function dockerBackendOnHost(backends: RunBackends, host: PlacedHost, env: NodeJS.ProcessEnv = process.env): Backend {
  if (!isRemote(host)) return backends('docker');
  const key = JSON.stringify([host.engine, host.insecure]);
  let made = madeFor.get(backends);
  if (!made) madeFor.set(backends, (made = new Map()));
  if (!made.has(key)) made.set(key, backends.dockerBackendFor(endpointOfManifestHost(host, env)));
  return made.get(key)!;
}

/** Whether a host is an engine other than the process's own. */
export function isRemote(host: PlacedHost | undefined): host is PlacedHost {
  return host !== undefined && host.engine.kind !== 'local';
}

/** Which engine a host is, as a key (a manifest's name for it aside): the process's engine is `local`. */
export function engineKey(host: PlacedHost | undefined): string {
  return isRemote(host) ? JSON.stringify(host.engine) : 'local';
}

/** Where a plan's machines are, as a key: plans with the same key share a backend (kind and engine). */
export function whereKey(plan: Pick<BottlePlan, 'backend' | 'host'>): string {
  return isRemote(plan.host) ? `${plan.backend} on host ${plan.host.name} ${JSON.stringify(plan.host.engine)}` : plan.backend;
}

/** The plans grouped by where their machines are (whereKey), each group with one of its plans to ask a backend of. */
export function groupByWhere<T extends { plan: Pick<BottlePlan, 'backend' | 'host'> }>(items: readonly T[]): { where: T['plan']; label: string; items: T[] }[] {
  const groups = new Map<string, { where: T['plan']; label: string; items: T[] }>();
  for (const item of items) {
    const key = whereKey(item.plan);
    const label = isRemote(item.plan.host) ? `${item.plan.backend} on host ${item.plan.host.name}` : item.plan.backend;
    if (!groups.has(key)) groups.set(key, { where: item.plan, label, items: [] });
    groups.get(key)!.items.push(item);
  }
  return [...groups.values()];
}

/** Whether a host is worth naming to the user: another engine, or the local one under a name of the manifest's own. */
export function isNamedHost(host: PlacedHost | undefined): host is PlacedHost {
  return host !== undefined && (host.engine.kind !== 'local' || host.name !== LOCAL_HOST);
}
