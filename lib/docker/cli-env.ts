/**
 * The environment that points a docker CLI process at an endpoint (the
 * Docker backend's interactive sessions run `docker exec -it`), so it talks
 * to the engine the API calls do: `DOCKER_CONTEXT` for an endpoint read
 * from a context; else `DOCKER_HOST`, with `DOCKER_TLS_VERIFY` and
 * `DOCKER_CERT_PATH` when it speaks TLS (the CLI wants the files as
 * ca.pem, cert.pem and key.pem in one directory: they are written to a
 * fresh one, 0700, until `release`). The variables that would point the CLI
 * elsewhere are unset (undefined). Without an endpoint, nothing: the
 * process's own environment already points at the process's engine. It
 * runs nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Endpoint } from './endpoint.js';

export interface CliEnv {
  /** To lay over the process's environment (execa's `env`); undefined unsets. */
  env: Record<string, string | undefined>;
  /** Removes what was written for it (the TLS files). */
  release(): Promise<void>;
}

const nothing = async () => undefined;

export async function dockerCliEnv(endpoint: Endpoint | undefined): Promise<CliEnv> {
  if (!endpoint) return { env: {}, release: nothing };
  const unset = { DOCKER_HOST: undefined, DOCKER_CONTEXT: undefined, DOCKER_TLS_VERIFY: undefined, DOCKER_CERT_PATH: undefined };
  if (endpoint.context !== undefined) return { env: { ...unset, DOCKER_CONTEXT: endpoint.context }, release: nothing };
  const env = { ...unset, DOCKER_HOST: dockerHostOf(endpoint) };
  if (endpoint.protocol !== 'https') return { env, release: nothing };
  const files = (['ca', 'cert', 'key'] as const).filter((part) => endpoint[part] !== undefined);
  if (files.length === 0) return { env: { ...env, DOCKER_TLS_VERIFY: '1' }, release: nothing };
  const dir = await mkdtemp(join(tmpdir(), 'bottle-docker-tls-'));
  for (const part of files) await writeFile(join(dir, `${part}.pem`), endpoint[part]!, { mode: 0o600 });
  return { env: { ...env, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }, release: () => rm(dir, { recursive: true, force: true }) };
}

/** The endpoint as a DOCKER_HOST value. */
export function dockerHostOf(endpoint: Endpoint): string {
  if (endpoint.socketPath !== undefined) return `unix://${endpoint.socketPath}`;
  if (endpoint.protocol === 'ssh') return `ssh://${endpoint.username ? `${endpoint.username}@` : ''}${endpoint.host}:${endpoint.port}`;
  return `tcp://${endpoint.host}:${endpoint.port}`;
}
