/**
 * Asks a manifest host's engine whether it answers, within HOST_TIMEOUT_MS,
 * and how many agent machines of a state root run there: what `bottle
 * hosts` shows and what placement needs to know. A host whose endpoint
 * cannot even be made (a TLS file unreadable) does not answer, with why.
 */
import { ROLE_LABEL, STATE_ROOT_LABEL } from '../backends/labels.js';
import type { Endpoint } from '../docker/endpoint.js';
import { probeEngine, type EngineProbe } from '../docker/engine-probe.js';
import type { PlacedHost } from '../plan/types.js';
import { endpointOfManifestHost } from './host-endpoints.js';

/** How long a host may take to answer before it is called unreachable. */
export const HOST_TIMEOUT_MS = 5000;

export interface HostAnswer {
  /** Undefined when no endpoint could be made of the host (the probe says why). */
  endpoint?: Endpoint;
  probe: EngineProbe;
}

export async function askHost(host: PlacedHost, stateRoot: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<HostAnswer> {
  let endpoint: Endpoint;
  try {
    endpoint = endpointOfManifestHost(host, env);
  } catch (error) {
    return { probe: { reachable: false, error: (error as Error).message } };
  }
  const labels = [`${ROLE_LABEL}=agent`, `${STATE_ROOT_LABEL}=${stateRoot}`];
  return { endpoint, probe: await probeEngine(endpoint, { labels, timeoutMs: HOST_TIMEOUT_MS, ...(signal && { signal }) }) };
}
