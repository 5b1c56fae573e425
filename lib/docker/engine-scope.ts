/**
 * Which Docker Engine a call goes to. One client per endpoint (endpoint.ts's
 * `endpointKey`), made on first use and kept, so every call to an engine
 * shares its HTTP agent; each keeps what the process learnt of its engine
 * (whether it ever answered: retry.ts reads a refusal after that as a
 * restart). `withEngine(endpoint, fn)` runs fn, and everything it awaits,
 * against that endpoint's client (an AsyncLocalStorage scope), so the call
 * sites ask `docker()` and never carry a client; outside every scope it is
 * the process's own engine (DOCKER_HOST, the context, the local socket), as
 * when there was only one. A callback run later from outside the scope (an
 * abort listener, a `stop` the caller keeps) is bound to it with
 * `bindEngine`. It makes no call (client.ts does) and picks no endpoint for
 * a bottle.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import Docker from 'dockerode';
import { TaskError } from '../engine/index.js';
import { describeEndpoint, dockerEndpoint, endpointKey, type Endpoint } from './endpoint.js';

export interface EngineClient {
  readonly docker: Docker;
  readonly endpoint: Endpoint;
  /** endpointKey(endpoint): one client per key. */
  readonly key: string;
  /** Whether this engine has answered a call of this process (then a refusal is a restart: retry.ts). */
  answered: boolean;
}

/** A scope: its endpoint (undefined: the process's), its client found on first use. */
interface Scope {
  endpoint: Endpoint | undefined;
  client?: EngineClient;
}

const scopes = new AsyncLocalStorage<Scope>();
const clients = new Map<string, EngineClient>();
let processEndpoint: Endpoint | undefined;

/** The process's engine, read from its environment on first use; a TaskError when that names none. */
export function defaultEndpoint(): Endpoint {
  if (processEndpoint) return processEndpoint;
  try {
    return (processEndpoint = dockerEndpoint());
  } catch (error) {
    throw new TaskError((error as Error).message, { code: 'DOCKER_ENDPOINT', cause: error });
  }
}

/** The client of an endpoint: the one already made for its key, else a new one. */
export function clientOf(endpoint: Endpoint): EngineClient {
  const key = endpointKey(endpoint);
  let client = clients.get(key);
  if (!client) clients.set(key, (client = { docker: new Docker(dockerOptions(endpoint)), endpoint, key, answered: false }));
  return client;
}

/** The client of the scope this runs in; outside every scope, the process's. */
export function engine(): EngineClient {
  const scope = scopes.getStore();
  if (!scope) return clientOf(defaultEndpoint());
  return (scope.client ??= clientOf(scope.endpoint ?? defaultEndpoint()));
}

export function docker(): Docker {
  return engine().docker;
}

/**
 * The engine of this scope as messages name it (`/var/run/docker.sock (the
 * local socket)`) and whether it is the process's own (whose fix is
 * DOCKER_HOST or the context); undefined when none could be made. Never
 * throws: it is for the wording of errors.
 */
export function engineNamed(): { where: string; source: string; processDefault: boolean } | undefined {
  try {
    const { endpoint, key } = engine();
    return { where: describeEndpoint(endpoint), source: endpoint.source, processDefault: processEndpoint !== undefined && key === endpointKey(processEndpoint) };
  } catch {
    return undefined;
  }
}

/**
 * Runs fn, and all it awaits, against `endpoint`'s engine (undefined: the
 * process's, even inside another scope). Scopes nest: the innermost wins
 * until fn returns. The client is found at the first call, so a bad
 * endpoint fails that call, as a TaskError, not this.
 */
export function withEngine<T>(endpoint: Endpoint | undefined, fn: () => T): T {
  return scopes.run({ endpoint }, fn);
}

/** fn, run against the engine of the scope it is bound in, from wherever it is called later. */
export function bindEngine<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const scope = scopes.getStore();
  return (...args) => (scope ? scopes.run(scope, () => fn(...args)) : scopes.exit(() => fn(...args)));
}

function dockerOptions(endpoint: Endpoint): Docker.DockerOptions {
  const { socketPath, protocol, host, port, username, ca, cert, key } = endpoint;
  if (socketPath !== undefined) return { socketPath };
  return {
    ...(protocol ? { protocol } : {}),
    ...(host ? { host } : {}),
    ...(port ? { port } : {}),
    ...(username ? { username } : {}),
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    // dockerode takes the SSH agent from the environment only for a DOCKER_HOST of its own reading.
    ...(protocol === 'ssh' && process.env.SSH_AUTH_SOCK ? { sshOptions: { agent: process.env.SSH_AUTH_SOCK } } : {}),
  };
}
