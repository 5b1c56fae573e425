/**
 * NEEDS ROOT. Runs on the CI machine (Debian 12, root, dockerd 20.10 at
 * /var/run/docker.sock); it is never skipped: without root, or without ip,
 * nsenter, dockerd and openssl, it fails and says why.
 *
 * The test engines (test/helpers/engine-in-netns.ts): two extra Docker
 * Engines, each in a network namespace of its own, one over TLS with client
 * certificates, one over plain TCP, reached from the host over a veth pair;
 * images reach them from the host's engine through the API, no registry.
 */
import Docker from 'dockerode';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupTreeExists } from '../helpers/cgroup-tree.js';
import { copyImage } from '../helpers/copy-image.js';
import { isAlive, mountsUnder, pidsNaming } from '../helpers/dockerd-process.js';
import { startEngineInNetns, type TestEngine } from '../helpers/engine-in-netns.js';
import { linkExists, netnsExists } from '../helpers/netns-link.js';

const hostDocker = new Docker({ socketPath: '/var/run/docker.sock' });
const PREFERRED_IMAGE = 'bot-bottle/base:bookworm';

let tlsEngine: TestEngine;
let plainEngine: TestEngine;
const started: TestEngine[] = [];

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error(`these tests need root (network namespaces, veth, dockerd); running as uid ${process.getuid?.()}: run them as root on the CI machine`);
  const results = await Promise.allSettled([startEngineInNetns({ tls: true, hostDocker }), startEngineInNetns({ tls: false, hostDocker })]);
  for (const r of results) if (r.status === 'fulfilled') started.push(r.value);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  [tlsEngine, plainEngine] = started as [TestEngine, TestEngine];
}, 90_000);

afterAll(async () => {
  const results = await Promise.allSettled(started.map((e) => e.stop()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}, 60_000);

describe('a Docker Engine in a network namespace', () => {
  it('answers /_ping and version over TCP from the host, TLS and plain alike, and is not the host engine', async () => {
    for (const engine of [tlsEngine, plainEngine]) {
      await expect(engine.ping()).resolves.toBeUndefined();
      const version = await engine.docker.version();
      expect(version.ApiVersion).toMatch(/^1\.\d+$/);
      const info = (await engine.docker.info()) as { DockerRootDir: string; Driver: string };
      expect(info.DockerRootDir).toBe(join(engine.dir, 'data'));
      expect(info.Driver).toBe('overlay2');
    }
    expect(tlsEngine.tcpUrl).toBe(`tcp://${tlsEngine.ip}:2376`);
    expect(plainEngine.tcpUrl).toBe(`tcp://${plainEngine.ip}:2375`);
  });

  it('is reached by the docker CLI through dockerEnv', async () => {
    for (const engine of [tlsEngine, plainEngine]) {
      const r = await execa('docker', ['info', '--format', '{{.DockerRootDir}}'], { env: engine.dockerEnv, reject: false });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(join(engine.dir, 'data'));
    }
  });

  it('over TLS, refuses a client without a certificate, and plain HTTP', async () => {
    const noCert = new Docker({ protocol: 'https', host: tlsEngine.ip, port: 2376, ca: await readFile(tlsEngine.tls!.ca) });
    await expect(noCert.ping()).rejects.toThrow(/alert (bad certificate|certificate required)/);
    const plain = new Docker({ protocol: 'http', host: tlsEngine.ip, port: 2376 });
    await expect(plain.ping()).rejects.toMatchObject({ statusCode: 400 });
  });

  it('runs an image copied from the host engine through the API, with no registry', async () => {
    const image = await smallLocalImage();
    await expect(tlsEngine.docker.getImage(image).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await copyImage(hostDocker, tlsEngine.docker, image);
    const container = await tlsEngine.docker.createContainer({ Image: image, Cmd: ['true'], HostConfig: { AutoRemove: true } });
    // As `docker run --rm` does: wait for the removal, asked before the start so the exit is not missed.
    const removed = container.wait({ condition: 'removed' });
    await container.start();
    await expect(removed).resolves.toMatchObject({ StatusCode: 0 });
    expect(await tlsEngine.docker.listContainers({ all: true })).toEqual([]);
    // The image went to that engine only.
    await expect(plainEngine.docker.getImage(image).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('stops answering when its link is cut, like a host gone, and answers again once restored', async () => {
    await plainEngine.ping();
    await plainEngine.cutLink();
    // No answer at all, so the ping's own 3 s bound ends it; not an HTTP answer from something else on the way.
    const lost = await plainEngine.ping(3_000).then(() => undefined, (error: { statusCode?: number }) => error);
    expect(lost).toBeInstanceOf(Error);
    expect(lost?.statusCode).toBeUndefined();
    await plainEngine.restoreLink();
    await expect(eventually(() => plainEngine.ping(2_000), 10_000)).resolves.toBeUndefined();
  });

  it('stop() leaves no netns, veth, dockerd, container, cgroup, mount or directory behind, even after dockerd crashed, and can be called again', async () => {
    // The TLS engine crashes with a container running (its image is there from the copy above); the plain one stops cleanly.
    const image = await smallLocalImage();
    const running = await tlsEngine.docker.createContainer({ Image: image, Cmd: ['sleep', '600'] });
    await running.start();
    const containerPid = ((await running.inspect()) as { State: { Pid: number } }).State.Pid;
    expect(isRunning(containerPid)).toBe(true);
    process.kill(tlsEngine.pid, 'SIGKILL');
    for (const engine of [tlsEngine, plainEngine]) {
      await engine.stop();
      expect(await netnsExists(engine.name)).toBe(false);
      expect(await linkExists(engine.hostIf)).toBe(false);
      expect(isAlive(engine.pid)).toBe(false);
      expect(await pidsNaming(engine.dir)).toEqual([]);
      expect(await cgroupTreeExists(`/${engine.name}`)).toBe(false);
      expect(await mountsUnder(engine.dir)).toEqual([]);
      expect(existsSync(engine.dir)).toBe(false);
      const routes = (await execa('ip', ['-4', 'route', 'show', 'table', 'all'])).stdout;
      expect(routes).not.toContain(engine.hostIf);
      await expect(engine.stop()).resolves.toBeUndefined();
    }
    expect(isRunning(containerPid)).toBe(false);
  });
});

/** bot-bottle/base:bookworm when the host engine has it, else its smallest tagged image. */
async function smallLocalImage(): Promise<string> {
  const images = await hostDocker.listImages();
  const tagged = images.flatMap((i) => (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>').map((tag) => ({ tag, size: i.Size })));
  if (tagged.some((t) => t.tag === PREFERRED_IMAGE)) return PREFERRED_IMAGE;
  const smallest = tagged.sort((a, b) => a.size - b.size)[0];
  if (!smallest) throw new Error('the host engine has no tagged image to copy into a test engine; build one (docker build) or load one (docker load) first');
  return smallest.tag;
}

/** Alive and not a zombie waiting for its new parent to reap it. */
function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

async function eventually(attempt: () => Promise<void>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
