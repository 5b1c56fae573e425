/**
 * An endpoint from a host a caller describes (a manifest's `hosts:`): each
 * form it takes, and each mistake refused with the host named and what to
 * do. Plain tcp:// is allowed only when the caller says the host is
 * insecure, and refused in the caller's words otherwise.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EndpointError } from '../../lib/docker/endpoint.js';
import { endpointOfHost, type HostDescription, type HostOptions } from '../../lib/docker/host-endpoint.js';
import { tempDir } from '../state/temp-dir.js';
import { dockerConfigWith } from './context-fixture.js';

/** ca.pem, cert.pem and key.pem with their names as content, in a fresh directory. */
async function tlsFiles(): Promise<{ ca: string; cert: string; key: string }> {
  const dir = await tempDir();
  const paths = { ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
  for (const [part, path] of Object.entries(paths)) await writeFile(path, `${part} pem`);
  return paths;
}

function refusal(host: HostDescription, options: HostOptions = {}): string {
  try {
    endpointOfHost(host, options);
  } catch (error) {
    expect(error).toBeInstanceOf(EndpointError);
    return (error as Error).message;
  }
  throw new Error(`expected ${host.docker} to be refused`);
}

describe('a host described by URL', () => {
  it('unix:// is that socket', () => {
    expect(endpointOfHost({ name: 'hosts.local', docker: 'unix:///run/docker.sock' })).toEqual({ source: 'hosts.local', socketPath: '/run/docker.sock' });
  });

  it('tcp:// with its TLS files speaks TLS with their bytes, on 2376 by default', async () => {
    const tls = await tlsFiles();
    const endpoint = endpointOfHost({ name: 'hosts.gpu', docker: 'tcp://gpu.example', tls });
    expect(endpoint).toMatchObject({ source: 'hosts.gpu', protocol: 'https', host: 'gpu.example', port: '2376' });
    expect([endpoint.ca, endpoint.cert, endpoint.key].map(String)).toEqual(['ca pem', 'cert pem', 'key pem']);
  });

  it('ssh:// is reached over SSH as that user', () => {
    expect(endpointOfHost({ name: 'hosts.b', docker: 'ssh://ops@b.example:2222' })).toEqual({ source: 'hosts.b', protocol: 'ssh', host: 'b.example', port: '2222', username: 'ops' });
  });

  it('plain tcp:// is refused, saying why and how to allow it in the caller\'s words', () => {
    const message = refusal({ name: 'hosts.lab', docker: 'tcp://10.0.0.7:2375' }, { howToAllowInsecure: 'set `insecure: true` on hosts.lab' });
    expect(message).toBe(
      'hosts.lab is "tcp://10.0.0.7:2375": plain TCP without TLS lets anyone who can reach that port run anything on that engine as root; ' +
        'give its TLS files (tls: ca, cert, key), reach it over ssh://user@host, or set `insecure: true` on hosts.lab',
    );
    expect(refusal({ name: 'hosts.lab', docker: 'tcp://10.0.0.7:2375' })).toMatch(/or say that the host is insecure$/);
  });

  it('plain tcp:// is taken when the caller says the host is insecure', () => {
    expect(endpointOfHost({ name: 'hosts.lab', docker: 'tcp://10.0.0.7:2375' }, { insecure: true })).toEqual({ source: 'hosts.lab', protocol: 'http', host: '10.0.0.7', port: '2375' });
  });

  it('a TLS file that cannot be read is named, with the host', async () => {
    const tls = { ...(await tlsFiles()), key: '/nonexistent/key.pem' };
    expect(refusal({ name: 'hosts.gpu', docker: 'tcp://gpu.example:2376', tls })).toBe('hosts.gpu: cannot read its TLS key file /nonexistent/key.pem (ENOENT); give the path of a readable PEM file');
  });

  it('TLS files take all three parts', async () => {
    const { ca, cert } = await tlsFiles();
    expect(refusal({ name: 'hosts.gpu', docker: 'tcp://gpu.example', tls: { ca, cert, key: '' } })).toBe('hosts.gpu: tls needs ca, cert and key, as paths; missing: key');
  });

  it('TLS files are for tcp:// only', async () => {
    expect(refusal({ name: 'hosts.b', docker: 'ssh://ops@b.example', tls: await tlsFiles() })).toMatch(/^hosts.b is "ssh:\/\/ops@b.example" with TLS files, but TLS files are for tcp:\/\/ hosts only; remove tls, or give a tcp:\/\/host:port$/);
  });

  it.each(['http://10.0.0.7:2375', 'tcp://'])('%s is not a Docker host: the forms are listed', (docker) => {
    expect(refusal({ name: 'hosts.x', docker }, { insecure: true })).toBe(
      `hosts.x is "${docker}", not a Docker host; expected unix:///path, tcp://host:port (with tls: ca, cert, key), ssh://user@host, or the name of a Docker context (\`docker context ls\`)`,
    );
  });
});

describe('a host described by a context name', () => {
  it('is the engine the context points at, with its TLS files, and keeps the name for the docker CLI', async () => {
    const config = await dockerConfigWith([{ name: 'gpu', host: 'tcp://gpu.example:2376', tls: { ca: 'C', cert: 'T', key: 'K' } }]);
    const endpoint = endpointOfHost({ name: 'hosts.gpu', docker: 'gpu' }, { env: { DOCKER_CONFIG: config } });
    expect(endpoint).toMatchObject({ source: 'hosts.gpu (context "gpu")', context: 'gpu', protocol: 'https', host: 'gpu.example', port: '2376' });
    expect(String(endpoint.cert)).toBe('T');
  });

  it('"default" is the docker CLI\'s own engine, with no context to name', () => {
    expect(endpointOfHost({ name: 'hosts.here', docker: 'default' }, { env: { DOCKER_HOST: 'unix:///x.sock' } })).toEqual({ source: 'hosts.here (context "default")', socketPath: '/x.sock' });
  });

  it('a context that does not exist is named, with the host, and what to do', async () => {
    const config = await dockerConfigWith([]);
    expect(refusal({ name: 'hosts.gpu', docker: 'gpu' }, { env: { DOCKER_CONFIG: config } })).toMatch(
      /^hosts.gpu: the Docker context "gpu" has no Docker endpoint \(looked in .*\); name a context `docker context ls` lists, or give the host as unix:\/\/\/path, tcp:\/\/host:port \(with tls: ca, cert, key\), ssh:\/\/user@host$/,
    );
  });

  it('a context keeps its own TLS files: none may be given', async () => {
    expect(refusal({ name: 'hosts.gpu', docker: 'gpu', tls: await tlsFiles() })).toBe('hosts.gpu names the Docker context "gpu" and TLS files; a context keeps its own: remove tls');
  });

  it('what is neither a URL nor a context name is refused with the forms', () => {
    expect(refusal({ name: 'hosts.x', docker: '10.0.0.7:2375' })).toMatch(/^hosts.x is "10.0.0.7:2375": neither a Docker host URL nor a context name; expected unix:\/\/\/path, /);
  });
});
