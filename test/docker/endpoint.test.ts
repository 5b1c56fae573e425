/**
 * Which engine the process's environment names (DOCKER_HOST, the context,
 * the local socket), the one parser of a host string, and when two
 * endpoints are one engine's. Contexts are read from a config directory
 * laid out as the docker CLI leaves it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeEndpoint, dockerEndpoint, EndpointError, endpointKey, parseDockerHost } from '../../lib/docker/endpoint.js';
import { tempDir } from '../state/temp-dir.js';
import { dockerConfigWith } from './context-fixture.js';

describe("the process's engine", () => {
  it('is DOCKER_HOST when set, over any context', async () => {
    const config = await dockerConfigWith([{ name: 'remote', host: 'tcp://10.0.0.5:2375' }], 'remote');
    expect(dockerEndpoint({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock', DOCKER_CONFIG: config }, '/nohome')).toEqual({ source: 'DOCKER_HOST', socketPath: '/run/user/1000/docker.sock' });
  });

  it('speaks TLS with the files of DOCKER_CERT_PATH', async () => {
    const certs = await tempDir();
    for (const part of ['ca', 'cert', 'key']) await writeFile(join(certs, `${part}.pem`), `${part} bytes`);
    const endpoint = dockerEndpoint({ DOCKER_HOST: 'tcp://build.example:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs }, '/nohome');
    expect(endpoint).toMatchObject({ source: 'DOCKER_HOST', protocol: 'https', host: 'build.example', port: '2376' });
    expect([endpoint.ca, endpoint.cert, endpoint.key].map(String)).toEqual(['ca bytes', 'cert bytes', 'key bytes']);
  });

  it('is the current context, with the TLS files it keeps, when DOCKER_HOST is not set', async () => {
    const config = await dockerConfigWith([{ name: 'remote', host: 'tcp://10.0.0.5:2376', tls: { ca: 'C', cert: 'T', key: 'K' } }], 'remote');
    const endpoint = dockerEndpoint({ DOCKER_CONFIG: config }, '/nohome');
    expect(endpoint).toMatchObject({ source: 'context "remote"', context: 'remote', protocol: 'https', host: '10.0.0.5', port: '2376' });
    expect(String(endpoint.key)).toBe('K');
  });

  it('takes DOCKER_CONTEXT over the current context, and "default" as the local socket', async () => {
    const config = await dockerConfigWith([{ name: 'a', host: 'unix:///a.sock' }, { name: 'b', host: 'unix:///b.sock' }], 'a');
    expect(dockerEndpoint({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'b' }, '/nohome').socketPath).toBe('/b.sock');
    expect(dockerEndpoint({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'default' }, '/nohome')).toEqual({ source: 'the local socket', socketPath: '/var/run/docker.sock' });
  });

  it("is Docker Desktop's socket when it exists, else the system's", async () => {
    const home = await tempDir();
    expect(dockerEndpoint({}, home).socketPath).toBe('/var/run/docker.sock');
    await mkdir(join(home, '.docker', 'run'), { recursive: true });
    await writeFile(join(home, '.docker', 'run', 'docker.sock'), '');
    expect(dockerEndpoint({}, home).socketPath).toBe(join(home, '.docker', 'run', 'docker.sock'));
  });

  it('refuses a context without a Docker endpoint, saying where it looked and what to do', async () => {
    const config = await dockerConfigWith([{ name: 'empty' }], 'empty');
    expect(() => dockerEndpoint({ DOCKER_CONFIG: config }, '/nohome')).toThrow(/the Docker context "empty" has no Docker endpoint \(looked in .*contexts\/meta\/[0-9a-f]{64}\); run `docker context use default` or set DOCKER_HOST/);
  });
});

describe('a host string', () => {
  it.each([
    ['unix:///var/run/docker.sock', { socketPath: '/var/run/docker.sock' }],
    ['tcp://10.0.0.5:2375', { protocol: 'http', host: '10.0.0.5', port: '2375' }],
    ['tcp://10.0.0.5', { protocol: 'http', host: '10.0.0.5', port: '2375' }],
    ['10.0.0.5:2376', { protocol: 'https', host: '10.0.0.5', port: '2376' }],
    ['ssh://ops@build.example', { protocol: 'ssh', host: 'build.example', port: '22', username: 'ops' }],
    ['ssh://ops@build.example:2222', { protocol: 'ssh', host: 'build.example', port: '2222', username: 'ops' }],
  ])('%s', (host, expected) => {
    expect(parseDockerHost(host, 'DOCKER_HOST')).toEqual({ source: 'DOCKER_HOST', ...expected });
  });

  it('speaks TLS on any port when given TLS files, on 2376 by default', () => {
    const tls = { ca: Buffer.from('C'), cert: Buffer.from('T'), key: Buffer.from('K') };
    expect(parseDockerHost('tcp://h:9999', 'x', tls)).toMatchObject({ protocol: 'https', port: '9999' });
    expect(parseDockerHost('tcp://h', 'x', tls)).toMatchObject({ protocol: 'https', port: '2376' });
  });

  it.each(['http://10.0.0.5:2375', 'tcp://', 'tcp://[::1'])('refuses %s, naming where it came from and the forms it takes', (host) => {
    expect(() => parseDockerHost(host, 'DOCKER_HOST')).toThrow(EndpointError);
    expect(() => parseDockerHost(host, 'DOCKER_HOST')).toThrow(`DOCKER_HOST is "${host}", not a Docker host; expected unix:///path, tcp://host:port or ssh://user@host`);
  });
});

describe('one engine or two', () => {
  const tls = (key: string) => ({ ca: Buffer.from('C'), cert: Buffer.from('T'), key: Buffer.from(key) });

  it('the same socket is one engine, whatever it is called', () => {
    expect(endpointKey(parseDockerHost('unix:///s.sock', 'DOCKER_HOST'))).toBe(endpointKey(parseDockerHost('unix:///s.sock', 'hosts.a')));
    expect(endpointKey(parseDockerHost('unix:///s.sock', 'x'))).not.toBe(endpointKey(parseDockerHost('unix:///t.sock', 'x')));
  });

  it('a TCP host is one engine per protocol, user, port and TLS files', () => {
    const keys = [
      parseDockerHost('tcp://h:2376', 'x', tls('K1')),
      parseDockerHost('tcp://h:2376', 'x', tls('K2')),
      parseDockerHost('tcp://h:2375', 'x'),
      parseDockerHost('tcp://h:2377', 'x'),
      parseDockerHost('ssh://a@h', 'x'),
      parseDockerHost('ssh://b@h', 'x'),
    ].map(endpointKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(endpointKey(parseDockerHost('tcp://h:2376', 'y', tls('K1')))).toBe(keys[0]);
  });

  it('an endpoint is named by where it is and where it came from', () => {
    expect(describeEndpoint(parseDockerHost('unix:///s.sock', 'DOCKER_HOST'))).toBe('/s.sock (DOCKER_HOST)');
    expect(describeEndpoint(parseDockerHost('tcp://h:2375', 'hosts.a'))).toBe('h:2375 (hosts.a)');
  });
});
