/**
 * The Docker backend against a real dockerd through the fault proxy, each
 * fault placed on one call: answers lost after dockerd did the work (the
 * retry meets what it made and takes it), a busy engine, a permanent error
 * that is sent once, and a name held by someone else's container. What is
 * checked is what Docker holds afterwards.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBackend } from '../../../lib/backends/docker/index.js';
import { CONFIG_LABEL } from '../../../lib/backends/reuse.js';
import type { MachineSpec, NetworkSpec } from '../../../lib/backends/types.js';
import { TaskError } from '../../../lib/engine/index.js';
import { startFaultProxy, type FaultProxy } from '../../helpers/docker-fault-proxy.js';
import { dockerOut } from '../../helpers/docker.js';
import { rejection } from '../../helpers/rejection.js';

const IMAGE = 'bot-bottle/base:bookworm';
const slug = `faults-${randomBytes(3).toString('hex')}`;
const labels = { 'bot-bottle.slug': slug, 'bot-bottle.test': '1' };
const network: NetworkSpec = {
  name: `bottle-test-${slug}`,
  egress: { name: `bottle-test-${slug}-out`, subnet: null },
  subnet: `10.251.${randomBytes(1)[0]}.${16 * (randomBytes(1)[0]! % 16)}/28`,
  labels,
};
let proxy: FaultProxy;

const machine = (name: string, extra: Partial<MachineSpec> = {}): MachineSpec => ({
  name: `bottle-test-${slug}-${name}`,
  image: IMAGE,
  labels,
  configHash: 'one',
  env: {},
  network: network.name,
  command: ['sleep', 'infinity'],
  ...extra,
});

const isRequest = (method: string, pattern: RegExp) => (m: string, p: string) => m === method && pattern.test(p);
const sent = (request: RegExp) => proxy.seen().filter((s) => request.test(s.request)).length;

async function namesOf(kind: 'container' | 'network'): Promise<string[]> {
  const list = kind === 'container' ? ['ps', '-a', '--format', '{{.Names}} {{.State}}'] : ['network', 'ls', '--format', '{{.Name}}'];
  return (await dockerOut([...list, '--filter', `label=bot-bottle.slug=${slug}`])).stdout.split('\n').filter(Boolean).sort();
}

beforeAll(async () => {
  proxy = await startFaultProxy();
  // Read once, at the first call: every call of this file goes through the proxy.
  process.env.DOCKER_HOST = proxy.dockerHost;
});

afterAll(async () => {
  for (const name of (await namesOf('container')).map((n) => n.split(' ')[0]!)) await dockerOut(['rm', '-f', name]);
  for (const name of [network.name, network.egress.name]) await dockerOut(['network', 'rm', name]);
  await proxy?.close();
});

describe('answers lost after dockerd did the work', () => {
  it('a network create: the retry finds the network it made and takes it, one network', async () => {
    proxy.failNext('lost-answer', isRequest('POST', /^\/networks\/create/));
    const made = await createDockerBackend().ensureNetwork(network, {});
    expect(made.id).toMatch(/^[0-9a-f]{64}$/);
    expect(proxy.counts().injected['lost-answer']).toBe(1);
    expect(await namesOf('network')).toEqual([network.name]);
    expect(await createDockerBackend().networkExists(network)).toBe(true);
  });

  it('a container create, its network connect and its start: one container, running, on both networks', async () => {
    const spec = machine('agent', { extraNetworks: [{ name: network.egress.name }] });
    proxy.failNext('lost-answer', isRequest('POST', /^\/containers\/create/));
    proxy.failNext('lost-answer', isRequest('POST', /^\/networks\/[^/]+\/connect/));
    proxy.failNext('lost-answer', isRequest('POST', /^\/containers\/[^/]+\/start/));
    const before = proxy.counts().injected['lost-answer'];
    const info = await createDockerBackend().startMachine(spec, {});
    expect(proxy.counts().injected['lost-answer'] - before).toBe(3);
    expect(info).toMatchObject({ name: spec.name, created: true });
    expect(await namesOf('container')).toEqual([`${spec.name} running`]);
    const nets = await dockerOut(['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', spec.name]);
    expect(nets.stdout.trim().split(' ').sort()).toEqual([network.name, network.egress.name].sort());
    expect(info.id).toBe((await dockerOut(['inspect', '-f', '{{.Id}}', spec.name])).stdout.trim());
  });

  it('a removal already in progress, then lost answers of the removals: all gone, and a second removal succeeds', async () => {
    const spec = machine('agent');
    proxy.failNext('409', isRequest('DELETE', /^\/containers\//));
    proxy.failNext('lost-answer', isRequest('DELETE', /^\/containers\//));
    proxy.failNext('lost-answer', isRequest('DELETE', /^\/networks\//));
    const backend = createDockerBackend();
    const before = proxy.injectedTotal();
    await backend.removeMachine(spec.name, {});
    await backend.removeNetwork(network, {});
    expect(proxy.injectedTotal() - before).toBe(3);
    expect(await namesOf('container')).toEqual([]);
    expect(await namesOf('network')).toEqual([]);
    await backend.removeMachine(spec.name, {});
    await backend.removeNetwork(network, {});
  });
});

describe('a busy engine', () => {
  it('an exec through 409 restarting, 500 and 503 answers runs the command once and returns its output', async () => {
    const backend = createDockerBackend();
    await backend.ensureNetwork(network, {});
    const spec = machine('busy');
    await backend.startMachine(spec, {});
    proxy.failNext('409', isRequest('POST', /^\/containers\/[^/]+\/exec$/));
    proxy.failNext('500', isRequest('GET', /^\/exec\/[^/]+\/json/));
    proxy.failNext('503', isRequest('GET', /^\/exec\/[^/]+\/json/));
    const before = { starts: sent(/^POST \/exec\/[^/]+\/start$/), faults: proxy.injectedTotal() };
    const result = await backend.exec(spec.name, ['sh', '-c', 'echo ran >> /tmp/runs; cat /tmp/runs']);
    expect(proxy.injectedTotal() - before.faults).toBe(3);
    expect(result).toMatchObject({ exitCode: 0, stdout: 'ran' });
    expect(sent(/^POST \/exec\/[^/]+\/start$/) - before.starts).toBe(1);
  });
});

describe('what a retry cannot fix', () => {
  it('a machine of an image that does not exist: one create sent, not transient, the image named', async () => {
    const spec = machine('ghost', { image: 'bot-bottle/does-not-exist:1' });
    const creates = sent(/^POST \/containers\/create$/);
    const error = await rejection(createDockerBackend().startMachine(spec, {}), TaskError);
    expect(sent(/^POST \/containers\/create$/) - creates).toBe(1);
    expect(error).toMatchObject({ code: 'NO_SUCH_IMAGE', transient: false });
    expect(error.message).toMatch(/the image bot-bottle\/does-not-exist:1 of .* is not in this Docker \(No such image/);
  });

  it("a name held by someone else's container: refused, named, the container left alone", async () => {
    const spec = machine('taken');
    expect((await dockerOut(['create', '--name', spec.name, '--label', 'bot-bottle.test=1', IMAGE, 'true'])).exitCode).toBe(0);
    try {
      const error = await rejection(createDockerBackend().startMachine(spec, {}), TaskError);
      expect(error).toMatchObject({ code: 'NAME_TAKEN', transient: false });
      expect(error.message).toContain(`the name ${spec.name} is taken by a container that is not this bottle's`);
      expect((await dockerOut(['inspect', '-f', '{{.State.Status}}', spec.name])).stdout.trim()).toBe('created');
    } finally {
      await dockerOut(['rm', '-f', spec.name]);
    }
  });

  it('a machine a stopped run made but never started is made anew, not started without its files', async () => {
    const spec = machine('half');
    const half = await dockerOut(['create', '--name', spec.name, ...Object.entries({ ...labels, [CONFIG_LABEL]: spec.configHash }).flatMap(([k, v]) => ['--label', `${k}=${v}`]), IMAGE, 'sleep', 'infinity']);
    expect(half.exitCode).toBe(0);
    const info = await createDockerBackend().startMachine(spec, {});
    expect(info.created).toBe(true);
    expect(info.id).not.toBe(half.stdout.trim());
  });
});
