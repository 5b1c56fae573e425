/**
 * The endpoint of each host of a manifest (lib/manifest's `Host`), through
 * lib/docker's one maker (host-endpoint.ts): the local engine is the
 * process's (DOCKER_HOST, the context, the local socket). Also the endpoint
 * as `bottle hosts` shows it: a URL with no TLS file and no password in it.
 * It connects to nothing.
 */
import { dockerEndpoint, type Endpoint } from '../docker/endpoint.js';
import { endpointOfHost } from '../docker/host-endpoint.js';
import { INSECURE_HOW } from '../manifest/hosts.js';
import type { PlacedHost } from '../plan/types.js';

export function endpointOfManifestHost(host: PlacedHost, env: NodeJS.ProcessEnv): Endpoint {
  const { engine } = host;
  const name = `hosts.${host.name}`;
  if (engine.kind === 'local') return dockerEndpoint(env);
  if (engine.kind === 'context') return endpointOfHost({ name, docker: engine.context }, { env });
  return endpointOfHost({ name, docker: engine.docker, ...(engine.tls && { tls: engine.tls }) }, { insecure: host.insecure, howToAllowInsecure: INSECURE_HOW, env });
}

/** `unix:///var/run/docker.sock`, `tcp://10.0.0.2:2376`, `ssh://ops@c.example:22`, with `(context "x")` when read from one. */
export function shownEndpoint(endpoint: Endpoint): string {
  const context = endpoint.context ? ` (context "${endpoint.context}")` : '';
  if (endpoint.socketPath !== undefined) return `unix://${endpoint.socketPath}${context}`;
  const scheme = endpoint.protocol === 'ssh' ? 'ssh' : 'tcp';
  const user = endpoint.username ? `${endpoint.username}@` : '';
  return `${scheme}://${user}${endpoint.host}:${endpoint.port}${context}`;
}

/** The host as the manifest names it, for when no endpoint could be made of it. */
export function writtenEndpoint(host: PlacedHost): string {
  const { engine } = host;
  if (engine.kind === 'local') return 'the local engine';
  if (engine.kind === 'context') return `context "${engine.context}"`;
  const url = URL.canParse(engine.docker) ? new URL(engine.docker) : undefined;
  if (url?.password) url.password = '';
  return url && engine.docker.startsWith('unix://') === false ? url.href : engine.docker;
}
