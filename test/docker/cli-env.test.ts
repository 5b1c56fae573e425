/**
 * The environment that points the docker CLI at an endpoint: a context by
 * name, a host by DOCKER_HOST with its TLS files in a directory of their
 * own while they are needed, and nothing left over from the process's own
 * environment that would point it elsewhere.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerCliEnv } from '../../lib/docker/cli-env.js';
import { parseDockerHost } from '../../lib/docker/endpoint.js';

const unset = { DOCKER_HOST: undefined, DOCKER_CONTEXT: undefined, DOCKER_TLS_VERIFY: undefined, DOCKER_CERT_PATH: undefined };

describe('the docker CLI pointed at an endpoint', () => {
  it("changes nothing for the process's own engine", async () => {
    expect((await dockerCliEnv(undefined)).env).toEqual({});
  });

  it.each([
    ['unix:///run/other.sock', 'unix:///run/other.sock'],
    ['tcp://10.0.0.7:2375', 'tcp://10.0.0.7:2375'],
    ['ssh://ops@b.example', 'ssh://ops@b.example:22'],
  ])('%s is DOCKER_HOST=%s, and nothing else points it', async (host, dockerHost) => {
    expect((await dockerCliEnv(parseDockerHost(host, 'hosts.x'))).env).toEqual({ ...unset, DOCKER_HOST: dockerHost });
  });

  it('a context is DOCKER_CONTEXT, and DOCKER_HOST is unset (it would win over the context)', async () => {
    const endpoint = { ...parseDockerHost('tcp://gpu.example:2376', 'hosts.gpu'), context: 'gpu' };
    expect((await dockerCliEnv(endpoint)).env).toEqual({ ...unset, DOCKER_CONTEXT: 'gpu' });
  });

  it('TLS files are put where DOCKER_CERT_PATH says, readable by us only, until released', async () => {
    const endpoint = parseDockerHost('tcp://gpu.example', 'hosts.gpu', { ca: Buffer.from('C'), cert: Buffer.from('T'), key: Buffer.from('K') });
    const target = await dockerCliEnv(endpoint);
    expect(target.env).toMatchObject({ DOCKER_HOST: 'tcp://gpu.example:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CONTEXT: undefined });
    const dir = target.env.DOCKER_CERT_PATH!;
    expect(await Promise.all(['ca', 'cert', 'key'].map((part) => readFile(join(dir, `${part}.pem`), 'utf8')))).toEqual(['C', 'T', 'K']);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'key.pem'))).mode & 0o777).toBe(0o600);
    await target.release();
    expect(existsSync(dir)).toBe(false);
  });
});
