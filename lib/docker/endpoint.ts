/**
 * Which Docker Engine a client talks to. The process's own, as the docker
 * CLI would pick it: `DOCKER_HOST` (unix://, tcp:// with
 * `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH`, ssh://), else the current Docker
 * context (`DOCKER_CONTEXT`, else `currentContext` in
 * `$DOCKER_CONFIG/config.json`, `~/.docker` by default: Docker Desktop's
 * `desktop-linux`, a remote context), else the local socket (Docker
 * Desktop's `~/.docker/run/docker.sock` when it exists, else
 * `/var/run/docker.sock`). `parseDockerHost` is the one parser of a host
 * string, for that and for a host described elsewhere (host-endpoint.ts);
 * `contextEndpoint` the one reader of a context. `endpointKey` says when two
 * endpoints are one engine's (one client each: engine-scope.ts). Pure but
 * for reading those files; it connects to nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Endpoint {
  /** Where it came from, for messages: `DOCKER_HOST`, `context "name"`, `the local socket`, or what a caller named it. */
  source: string;
  /** unix:// path, or tcp/ssh/https with a host. */
  socketPath?: string;
  protocol?: 'http' | 'https' | 'ssh';
  host?: string;
  port?: string;
  username?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** The Docker context it was read from: the docker CLI is pointed at it by name (cli-env.ts). */
  context?: string;
}

export type TlsFiles = Pick<Endpoint, 'ca' | 'cert' | 'key'>;

/** An endpoint that cannot be used as given; its message names it and says what to do. */
export class EndpointError extends Error {
  override readonly name = 'EndpointError';
}

/** The process's engine, from its environment (see above). */
export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env, home = homedir()): Endpoint {
  if (env.DOCKER_HOST) return parseDockerHost(env.DOCKER_HOST, 'DOCKER_HOST', tlsFrom(env, home));
  const configDir = dockerConfigDir(env, home);
  const context = env.DOCKER_CONTEXT || currentContext(configDir);
  if (context && context !== 'default') return contextEndpoint(context, configDir, `context "${context}"`, 'run `docker context use default` or set DOCKER_HOST');
  return localSocket(home);
}

/** Where the docker CLI keeps its config and contexts. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  return env.DOCKER_CONFIG || join(home, '.docker');
}

/** The engine the Docker context `name` points at, with the TLS files the context keeps; `whatToDo` when it has none. */
export function contextEndpoint(name: string, configDir: string, source: string, whatToDo: string): Endpoint {
  const id = createHash('sha256').update(name).digest('hex');
  const meta = readJson(join(configDir, 'contexts', 'meta', id, 'meta.json')) as { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } } | undefined;
  const host = meta?.Endpoints?.docker?.Host;
  if (!host) throw new EndpointError(`the Docker context "${name}" has no Docker endpoint (looked in ${join(configDir, 'contexts', 'meta', id)}); ${whatToDo}`);
  return { ...parseDockerHost(host, source, tlsFiles(join(configDir, 'contexts', 'tls', id, 'docker'))), context: name };
}

/** The local socket: Docker Desktop's when it exists, else the system's. */
export function localSocket(home = homedir()): Endpoint {
  const desktop = join(home, '.docker', 'run', 'docker.sock');
  return { source: 'the local socket', socketPath: existsSync(desktop) ? desktop : '/var/run/docker.sock' };
}

const HOST_FORMS = 'expected unix:///path, tcp://host:port or ssh://user@host';

/**
 * A Docker host string (`unix:///path`, `npipe://...`, `tcp://host:port`,
 * `host:port`, `ssh://user@host[:port]`) as an endpoint. TLS is used when
 * `tls` is given or the port is 2376 (Docker's TLS port), as the docker CLI
 * does. `source` names where the string came from in the error.
 */
export function parseDockerHost(host: string, source: string, tls?: TlsFiles): Endpoint {
  if (host.startsWith('unix://')) return { source, socketPath: host.slice('unix://'.length) };
  if (host.startsWith('npipe://')) return { source, socketPath: host.slice('npipe://'.length) };
  let url: URL;
  try {
    url = new URL(host.includes('//') ? host : `tcp://${host}`);
  } catch {
    throw new EndpointError(`${source} is "${host}", not a Docker host; ${HOST_FORMS}`);
  }
  if (url.protocol === 'ssh:') return { source, protocol: 'ssh', host: url.hostname, port: url.port || '22', username: url.username };
  if (url.protocol !== 'tcp:' || !url.hostname) throw new EndpointError(`${source} is "${host}", not a Docker host; ${HOST_FORMS}`);
  const secure = tls !== undefined || url.port === '2376';
  return { source, protocol: secure ? 'https' : 'http', host: url.hostname, port: url.port || (secure ? '2376' : '2375'), ...tls };
}

/**
 * What makes two endpoints one engine's, as far as a client can tell: the
 * socket path, or the protocol, user, host, port and a digest of the TLS
 * files. Its source (a name for messages) is not part of it.
 */
export function endpointKey(endpoint: Endpoint): string {
  if (endpoint.socketPath !== undefined) return `unix:${endpoint.socketPath}`;
  const tls = createHash('sha256');
  for (const part of [endpoint.ca, endpoint.cert, endpoint.key]) tls.update(part ? createHash('sha256').update(part).digest('hex') : '-').update('\0');
  const user = endpoint.username ? `${endpoint.username}@` : '';
  return `${endpoint.protocol}://${user}${endpoint.host}:${endpoint.port}#${tls.digest('hex').slice(0, 16)}`;
}

/** The endpoint as an error message names it: `/var/run/docker.sock (the local socket)`. */
export function describeEndpoint(endpoint: Endpoint): string {
  return `${endpoint.socketPath ?? `${endpoint.host}:${endpoint.port}`} (${endpoint.source})`;
}

function tlsFrom(env: NodeJS.ProcessEnv, home: string): TlsFiles | undefined {
  if (env.DOCKER_TLS_VERIFY !== '1' && !env.DOCKER_CERT_PATH) return undefined;
  return tlsFiles(env.DOCKER_CERT_PATH || join(home, '.docker')) ?? {};
}

function tlsFiles(dir: string): TlsFiles | undefined {
  const file = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name)) : undefined);
  const [ca, cert, key] = [file('ca.pem'), file('cert.pem'), file('key.pem')];
  if (!ca && !cert && !key) return undefined;
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

function currentContext(configDir: string): string | undefined {
  return (readJson(join(configDir, 'config.json')) as { currentContext?: string } | undefined)?.currentContext;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}
