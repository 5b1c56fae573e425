/**
 * An endpoint from a host described by a caller (a manifest's `hosts:`),
 * rather than by the process's environment: a Docker host URL
 * (`unix:///path`, `tcp://host:port` with its TLS files given as paths,
 * `ssh://user@host`) or the name of a Docker context. The URL goes through
 * endpoint.ts's one parser and the context through its one reader. Plain
 * `tcp://` (no TLS) hands the engine, root on its machine, to anyone who
 * can reach the port: it is refused unless the caller says the host is
 * insecure, and the refusal says how to say so in the caller's words. It
 * reads the TLS files and the context; it connects to nothing, and does
 * not resolve relative paths (the caller does, against what it knows).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { contextEndpoint, dockerConfigDir, dockerEndpoint, EndpointError, parseDockerHost, type Endpoint, type TlsFiles } from './endpoint.js';

export interface TlsPaths {
  ca: string;
  cert: string;
  key: string;
}

export interface HostDescription {
  /** What the caller calls the host, for messages: `hosts.gpu-box`. */
  name: string;
  /** `unix:///path`, `tcp://host:port`, `ssh://user@host[:port]`, or the name of a Docker context. */
  docker: string;
  /** For `tcp://`: the client's TLS files (all three), as paths. */
  tls?: TlsPaths;
}

export interface HostOptions {
  /** Whether plain `tcp://` without TLS may be used: only when the caller says the host is insecure. */
  insecure?: boolean;
  /** How to say so, in the caller's words (`set \`insecure: true\` on the host`); the refusal ends with it. */
  howToAllowInsecure?: string;
  /** For a context: where the docker CLI's config is (DOCKER_CONFIG, else ~/.docker). */
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** A Docker context's name, as `docker context create` takes it. */
const CONTEXT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/;

const URL_FORMS = 'unix:///path, tcp://host:port (with tls: ca, cert, key), ssh://user@host';
const FORMS = `${URL_FORMS}, or the name of a Docker context (\`docker context ls\`)`;

export function endpointOfHost(description: HostDescription, options: HostOptions = {}): Endpoint {
  const { name, docker } = description;
  if (!docker.includes('://')) return fromContext(description, options);
  const tls = description.tls ? readTls(name, description.tls) : undefined;
  if (tls && !docker.startsWith('tcp://')) throw new EndpointError(`${name} is "${docker}" with TLS files, but TLS files are for tcp:// hosts only; remove tls, or give a tcp://host:port`);
  let endpoint: Endpoint;
  try {
    endpoint = parseDockerHost(docker, name, tls);
  } catch (error) {
    throw new EndpointError(`${name} is "${docker}", not a Docker host; expected ${FORMS}`, { cause: error });
  }
  if (endpoint.protocol === 'http' && !options.insecure) {
    throw new EndpointError(
      `${name} is "${docker}": plain TCP without TLS lets anyone who can reach that port run anything on that engine as root; ` +
        `give its TLS files (tls: ca, cert, key), reach it over ssh://user@host, or ${options.howToAllowInsecure ?? 'say that the host is insecure'}`,
    );
  }
  return endpoint;
}

function fromContext(description: HostDescription, options: HostOptions): Endpoint {
  const { name, docker: context } = description;
  if (!CONTEXT_NAME.test(context)) throw new EndpointError(`${name} is "${context}": neither a Docker host URL nor a context name; expected ${FORMS}`);
  if (description.tls) throw new EndpointError(`${name} names the Docker context "${context}" and TLS files; a context keeps its own: remove tls`);
  const env = options.env ?? process.env;
  const home = options.home ?? homedir();
  const source = `${name} (context "${context}")`;
  // "default" is the docker CLI's own: DOCKER_HOST, else the local socket (no context to name to the CLI).
  if (context === 'default') return { ...dockerEndpoint({ ...env, DOCKER_CONTEXT: 'default' }, home), source };
  try {
    return contextEndpoint(context, dockerConfigDir(env, home), source, `name a context \`docker context ls\` lists, or give the host as ${URL_FORMS}`);
  } catch (error) {
    throw new EndpointError(`${name}: ${(error as Error).message}`, { cause: error });
  }
}

function readTls(name: string, paths: TlsPaths): TlsFiles {
  const missing = (['ca', 'cert', 'key'] as const).filter((part) => !paths[part]);
  if (missing.length > 0) throw new EndpointError(`${name}: tls needs ca, cert and key, as paths; missing: ${missing.join(', ')}`);
  const read = (part: keyof TlsPaths): Buffer => {
    try {
      return readFileSync(paths[part]);
    } catch (error) {
      throw new EndpointError(`${name}: cannot read its TLS ${part} file ${paths[part]} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give the path of a readable PEM file`, { cause: error });
    }
  };
  return { ca: read('ca'), cert: read('cert'), key: read('key') };
}
