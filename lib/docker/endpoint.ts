/**
 * Which Docker Engine bottle talks to, as the docker CLI would pick it:
 * `DOCKER_HOST` (unix://, tcp:// with `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH`,
 * ssh://), else the current Docker context (`DOCKER_CONTEXT`, else
 * `currentContext` in `$DOCKER_CONFIG/config.json`, `~/.docker` by default:
 * Docker Desktop's `desktop-linux`, a remote context), else the local socket
 * (Docker Desktop's `~/.docker/run/docker.sock` when it exists, else
 * `/var/run/docker.sock`). Pure but for reading those files; it connects to
 * nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Endpoint {
  /** Where it came from, for messages: `DOCKER_HOST`, `context "name"` or `the local socket`. */
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
}

export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env, home = homedir()): Endpoint {
  if (env.DOCKER_HOST) return fromHost(env.DOCKER_HOST, 'DOCKER_HOST', tlsFrom(env));
  const configDir = env.DOCKER_CONFIG || join(home, '.docker');
  const context = env.DOCKER_CONTEXT || currentContext(configDir);
  if (context && context !== 'default') {
    const id = createHash('sha256').update(context).digest('hex');
    const meta = readJson(join(configDir, 'contexts', 'meta', id, 'meta.json')) as { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } } | undefined;
    const host = meta?.Endpoints?.docker?.Host;
    if (!host) throw new Error(`the Docker context "${context}" has no Docker endpoint (looked in ${join(configDir, 'contexts', 'meta', id)}); run \`docker context use default\` or set DOCKER_HOST`);
    return fromHost(host, `context "${context}"`, tlsFiles(join(configDir, 'contexts', 'tls', id, 'docker')));
  }
  const desktop = join(home, '.docker', 'run', 'docker.sock');
  return { source: 'the local socket', socketPath: existsSync(desktop) ? desktop : '/var/run/docker.sock' };
}

function fromHost(host: string, source: string, tls: Pick<Endpoint, 'ca' | 'cert' | 'key'> | undefined): Endpoint {
  if (host.startsWith('unix://')) return { source, socketPath: host.slice('unix://'.length) };
  if (host.startsWith('npipe://')) return { source, socketPath: host.slice('npipe://'.length) };
  let url: URL;
  try {
    url = new URL(host.includes('//') ? host : `tcp://${host}`);
  } catch {
    throw new Error(`${source} is "${host}", not a Docker host; expected unix:///path, tcp://host:port or ssh://user@host`);
  }
  if (url.protocol === 'ssh:') return { source, protocol: 'ssh', host: url.hostname, port: url.port || '22', username: url.username };
  const secure = tls !== undefined || url.port === '2376';
  return { source, protocol: secure ? 'https' : 'http', host: url.hostname, port: url.port || (secure ? '2376' : '2375'), ...tls };
}

function tlsFrom(env: NodeJS.ProcessEnv): Pick<Endpoint, 'ca' | 'cert' | 'key'> | undefined {
  if (env.DOCKER_TLS_VERIFY !== '1' && !env.DOCKER_CERT_PATH) return undefined;
  return tlsFiles(env.DOCKER_CERT_PATH || join(homedir(), '.docker')) ?? {};
}

function tlsFiles(dir: string): Pick<Endpoint, 'ca' | 'cert' | 'key'> | undefined {
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
