/**
 * The Docker Engine API client (dockerode over the endpoint endpoint.ts
 * picks): one per process, so every call shares its HTTP agent and no call
 * spawns a process. `dockerError` turns what the API or the socket said into
 * a TaskError that names the operation and says what to do; an engine that
 * cannot be reached is transient (it may be starting). It knows nothing of
 * bottles.
 */
import Docker from 'dockerode';
import { TaskError } from '../engine/index.js';
import { dockerEndpoint, type Endpoint } from './endpoint.js';

let client: { docker: Docker; endpoint: Endpoint } | undefined;

/** The client for this process's environment, made on first use. */
export function engine(): { docker: Docker; endpoint: Endpoint } {
  if (client) return client;
  let endpoint: Endpoint;
  try {
    endpoint = dockerEndpoint();
  } catch (error) {
    throw new TaskError((error as Error).message, { code: 'DOCKER_ENDPOINT' });
  }
  const { source: _source, ...options } = endpoint;
  return (client = { docker: new Docker(options as Docker.DockerOptions), endpoint });
}

export function docker(): Docker {
  return engine().docker;
}

interface ApiFailure {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  reason?: string;
  message?: string;
}

/** The HTTP status of a failed call, or undefined when it never got an answer. */
export function statusOf(error: unknown): number | undefined {
  return (error as ApiFailure | undefined)?.statusCode;
}

export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

/** What Docker said, in one line. */
export function saidBy(error: unknown): string {
  const e = error as ApiFailure;
  const said = e?.json?.message ?? (typeof e?.json === 'string' ? e.json : undefined) ?? e?.reason ?? e?.message ?? String(error);
  return String(said).replace(/\s+/g, ' ').trim();
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

export function dockerError(what: string, error: unknown): TaskError {
  if (error instanceof TaskError) return error;
  if ((error as Error)?.name === 'AbortError') return new TaskError(`${what} was cancelled`, { code: 'CANCELLED', cause: error });
  const code = (error as ApiFailure)?.code;
  const where = client ? `${client.endpoint.socketPath ?? `${client.endpoint.host}:${client.endpoint.port}`} (${client.endpoint.source})` : 'Docker';
  if (code && UNREACHABLE.has(code)) {
    return new TaskError(`cannot reach the Docker Engine at ${where}: ${code}; start Docker, or point DOCKER_HOST or the Docker context at a running one`, {
      code: 'DOCKER_UNAVAILABLE',
      transient: true,
      cause: error,
    });
  }
  if (code === 'EACCES') {
    return new TaskError(`no permission to use the Docker Engine at ${where}; add your user to the docker group (and log in again), or use rootless Docker`, {
      code: 'DOCKER_DENIED',
      cause: error,
    });
  }
  return new TaskError(`${what} failed: ${saidBy(error)}`, { code: 'DOCKER_FAILED', cause: error });
}

/** Runs one API call, its failure as a TaskError. */
export async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw dockerError(what, error);
  }
}
