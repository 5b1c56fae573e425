/**
 * NEEDS ROOT (network namespaces, dockerd): run on the CI machine, never
 * skipped.
 *
 * The Docker backend of an engine that is not the process's sends a
 * machine's image from the process's engine when that engine lacks it
 * (lib/docker/ship-image.ts), against real engines: two test engines in
 * network namespaces (test/helpers/engine-in-netns.ts), one over TLS, one
 * plain. The process's engine is the local dockerd behind a counting proxy
 * (DOCKER_HOST), so each `GET /images/{name}/get` (one per sending) is seen
 * there; each target engine's own `load` events count what it loaded. The
 * images are tiny ones built here FROM the base image (a LABEL each), all
 * removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBackend } from '../../../lib/backends/docker/index.js';
import type { MachineSpec } from '../../../lib/backends/types.js';
import { describeEndpoint, type Endpoint } from '../../../lib/docker/endpoint.js';
import { endpointOfHost } from '../../../lib/docker/host-endpoint.js';
import { checkLoaded } from '../../../lib/docker/ship-image.js';
import { TaskError } from '../../../lib/engine/index.js';
import { baseImageName } from '../../../lib/images/base-image.js';
import { startFaultProxy, type FaultProxy } from '../../helpers/docker-fault-proxy.js';
import { startEngineInNetns, type TestEngine } from '../../helpers/engine-in-netns.js';

const REAL_SOCKET = '/var/run/docker.sock';
const slug = randomBytes(3).toString('hex');
const IMAGE_LABEL = `bot-bottle.test-ship=${slug}`;
const labels = { 'bot-bottle.slug': `ship-${slug}`, 'bot-bottle.test': '1' };
const SENT = /^image (\S+) \(\d+ MB\) sent to the Docker Engine at (.+) in \d+\.\d s$/;

let source: FaultProxy;
let tls: TestEngine;
let plain: TestEngine;
let tlsAt: Endpoint;
let plainAt: Endpoint;
const engines: TestEngine[] = [];
const proxies: FaultProxy[] = [];
const localMachines: string[] = [];
const savedDockerHost = process.env.DOCKER_HOST;

/** The docker CLI on the local engine itself, not through the counting proxy. */
async function localDocker(args: string[], input?: string): Promise<string> {
  const r = await execa('docker', args, { env: { DOCKER_HOST: `unix://${REAL_SOCKET}` }, ...(input === undefined ? { stdin: 'ignore' as const } : { input }) });
  return String(r.stdout).trim();
}

/** Builds `tag` on the local engine, FROM the base image with a label of its own (a new image ID each time); its ID. */
async function build(tag: string): Promise<string> {
  await localDocker(['build', '-q', '-t', tag, '--label', IMAGE_LABEL, '--label', `bot-bottle.test-ship.build=${randomBytes(4).toString('hex')}`, '-'], `FROM ${baseImageName()}\n`);
  return localDocker(['image', 'inspect', '-f', '{{.Id}}', tag]);
}

function spec(machine: string, image: string): MachineSpec {
  return { name: `bottle-test-ship-${slug}-${machine}`, image, labels, configHash: `${machine}-${image}`, env: {}, network: 'bridge', command: ['sleep', 'infinity'] };
}

/** What one op logged. */
function logged(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

/** How many times the process's engine was asked to save `tag` (each sending asks once). */
function saves(tag: string): number {
  return source.seen().filter((s) => s.request === `GET /images/${tag}/get`).length;
}

/** Docker's timestamp for `ms` (seconds and nine digits of nanoseconds). */
function stamp(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}000000`;
}

/** The images `engine` loaded since `sinceMs`, by its own events. */
async function loads(engine: TestEngine, sinceMs: number): Promise<number> {
  // Docker takes the times as strings of seconds and nanoseconds; the types say numbers (whole seconds would take in an earlier test's).
  const options = { since: stamp(sinceMs), until: stamp(Date.now()), filters: { type: ['image'], event: ['load'] } };
  const stream = await engine.docker.getEvents(options as unknown as Docker.GetEventsOptions);
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text.split('\n').filter(Boolean).length;
}

/** Connections of this host to the engine holding data it could not send (`ss`: Send-Q): a stream stalled on the way. */
async function stalledSends(engine: TestEngine): Promise<number> {
  const port = engine.tcpUrl.split(':').at(-1)!;
  const { stdout } = await execa('ss', ['-tnH', 'state', 'established', 'dst', `${engine.ip}:${port}`]);
  return stdout.split('\n').filter((l) => Number(l.trim().split(/\s+/)[1] ?? 0) > 0).length;
}

async function until(what: string, check: () => Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function imageIdOn(docker: Docker, tag: string): Promise<string | undefined> {
  return docker
    .getImage(tag)
    .inspect()
    .then((i) => i.Id, (error: { statusCode?: number }) => (error.statusCode === 404 ? undefined : Promise.reject(error)));
}

async function running(docker: Docker, name: string): Promise<boolean> {
  return (await docker.getContainer(name).inspect()).State.Running;
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error(`these tests need root (network namespaces, veth, dockerd); running as uid ${process.getuid?.()}: run them as root on the CI machine`);
  await localDocker(['image', 'inspect', baseImageName()]).catch(() => {
    throw new Error(`${baseImageName()} is needed on the local engine (bottle up builds it)`);
  });
  source = await startFaultProxy({ rate: 0, target: REAL_SOCKET });
  proxies.push(source);
  // The process's engine, read at its first use: the source of every sending.
  process.env.DOCKER_HOST = source.dockerHost;
  const results = await Promise.allSettled([startEngineInNetns({ tls: true }), startEngineInNetns({ tls: false })]);
  for (const r of results) if (r.status === 'fulfilled') engines.push(r.value);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  [tls, plain] = engines as [TestEngine, TestEngine];
  tlsAt = endpointOfHost({ name: 'hosts.tls', docker: tls.tcpUrl, tls: tls.tls! });
  plainAt = endpointOfHost({ name: 'hosts.plain', docker: plain.tcpUrl }, { insecure: true });
}, 120_000);

afterAll(async () => {
  process.env.DOCKER_HOST = savedDockerHost;
  for (const machine of localMachines) await localDocker(['rm', '-f', machine]).catch(() => undefined);
  const images = (await localDocker(['images', '-q', '--filter', `label=${IMAGE_LABEL}`]).catch(() => '')).split('\n').filter(Boolean);
  if (images.length > 0) await localDocker(['rmi', '-f', ...new Set(images)]).catch(() => undefined);
  const results = await Promise.allSettled([...engines.map((e) => e.stop()), ...proxies.map((p) => p.close())]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}, 90_000);

// Each sending moves some 200 MB into an engine that unpacks it: slow on a busy machine.
describe('images for a Docker Engine that is not the process’s', { timeout: 180_000 }, () => {
  it('are sent from the process’s engine when that engine lacks them, once per image for a backend; a later backend finds them there; the process’s own engine asks nothing', async () => {
    const tag = `bottle-test-ship-${slug}-one:v1`;
    const id = await build(tag);
    const since = Date.now();
    expect(await imageIdOn(tls.docker, tag)).toBeUndefined();

    const backend = createDockerBackend(tlsAt);
    const first = logged();
    expect(await backend.startMachine(spec('one', tag), { log: first.log })).toMatchObject({ created: true });
    expect(await running(tls.docker, spec('one', tag).name)).toBe(true);
    expect(await imageIdOn(tls.docker, tag)).toBe(id);
    const sent = first.lines.filter((l) => SENT.test(l));
    expect(sent).toHaveLength(1);
    expect(SENT.exec(sent[0]!)!.slice(1)).toEqual([tag, describeEndpoint(tlsAt)]);
    expect(describeEndpoint(tlsAt)).toBe(`${tls.ip}:2376 (hosts.tls)`);
    // Sent before the container was made from it.
    expect(first.lines.indexOf(sent[0]!)).toBeLessThan(first.lines.indexOf(`create ${spec('one', tag).name} from ${tag}`));
    expect([saves(tag), await loads(tls, since)]).toEqual([1, 1]);

    // Another machine of the same image, same backend: nothing sent, not even asked of the target.
    const second = logged();
    const before = source.seen().length;
    await backend.startMachine(spec('two', tag), { log: second.log });
    expect(await running(tls.docker, spec('two', tag).name)).toBe(true);
    expect(second.lines.filter((l) => /image/.test(l) && !l.startsWith('create '))).toEqual([]);
    expect(source.seen().slice(before).map((s) => s.request)).toEqual([`GET /images/${tag}/json`]);
    expect([saves(tag), await loads(tls, since)]).toEqual([1, 1]);

    // A later run's backend: the target has it under the same ID; nothing sent.
    const third = logged();
    await createDockerBackend(tlsAt).startMachine(spec('three', tag), { log: third.log });
    expect(await running(tls.docker, spec('three', tag).name)).toBe(true);
    expect(third.lines.filter((l) => /image/.test(l) && !l.startsWith('create '))).toEqual([]);
    expect([saves(tag), await loads(tls, since)]).toEqual([1, 1]);

    // The process's own engine: not one call about images beyond what it did before.
    const local = spec('local', tag);
    localMachines.push(local.name);
    const start = source.seen().length;
    await createDockerBackend().startMachine(local, {});
    expect(await localDocker(['inspect', '-f', '{{.State.Running}}', local.name])).toBe('true');
    const calls = source.seen().slice(start).map((s) => s.request);
    expect(calls).toContain('POST /containers/create');
    expect(calls.filter((c) => c.includes('/images/'))).toEqual([]);
    // Nor does a backend made for it by its endpoint (as a manifest's host naming it would).
    const named = spec('local-named', tag);
    localMachines.push(named.name);
    const next = source.seen().length;
    await createDockerBackend(endpointOfHost({ name: 'hosts.here', docker: source.dockerHost })).startMachine(named, {});
    expect(await localDocker(['inspect', '-f', '{{.State.Running}}', named.name])).toBe('true');
    expect(source.seen().slice(next).filter((s) => s.request.includes('/images/'))).toEqual([]);
  });

  it('an image only the target has (one pulled there) is used there, nothing sent', async () => {
    const shipped = `bottle-test-ship-${slug}-one:v1`;
    const onlyThere = `bottle-test-ship-${slug}-only-there`;
    expect(await imageIdOn(tls.docker, shipped), 'the first test sent it there').toBeDefined();
    await tls.docker.getImage(shipped).tag({ repo: onlyThere, tag: 'v1' });
    const lines = logged();
    const before = source.seen().length;
    await createDockerBackend(tlsAt).startMachine(spec('only-there', `${onlyThere}:v1`), { log: lines.log });
    expect(await running(tls.docker, spec('only-there', `${onlyThere}:v1`).name)).toBe(true);
    expect(source.seen().slice(before).map((s) => s.request)).toEqual([`GET /images/${onlyThere}:v1/json`]);
    expect(lines.lines.filter((l) => /image/.test(l) && !l.startsWith('create '))).toEqual([]);
  });

  it('two machines of one image started at once share one sending; another image at the same time waits its turn on that engine', async () => {
    const [tag, other] = [`bottle-test-ship-${slug}-two:v1`, `bottle-test-ship-${slug}-two-other:v1`];
    await Promise.all([build(tag), build(other)]);
    const since = Date.now();
    const backend = createDockerBackend(tlsAt);
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    await Promise.all([backend.startMachine(spec('a', tag), { log }), backend.startMachine(spec('b', tag), { log }), backend.startMachine(spec('c', other), { log })]);
    for (const m of [spec('a', tag), spec('b', tag), spec('c', other)]) expect(await running(tls.docker, m.name)).toBe(true);
    expect([saves(tag), saves(other), await loads(tls, since)]).toEqual([1, 1, 2]);
    // One load at a time on that engine: each sending is said to start only once the one before is done.
    const steps = lines.filter((l) => l.startsWith('send image ') || SENT.test(l)).map((l) => (l.startsWith('send') ? `send ${l.split(' ')[2]}` : `sent ${SENT.exec(l)![1]}`));
    expect(steps).toHaveLength(4);
    const [a, b] = [steps[0]!.split(' ')[1]!, steps[2]!.split(' ')[1]!];
    expect(steps).toEqual([`send ${a}`, `sent ${a}`, `send ${b}`, `sent ${b}`]);
    expect(new Set([a, b])).toEqual(new Set([tag, other]));
  });

  it('an image rebuilt under the same tag (a new ID) is sent again', async () => {
    const tag = `bottle-test-ship-${slug}-rebuilt:v1`;
    const before = await build(tag);
    const since = Date.now();
    const backend = createDockerBackend(tlsAt);
    await backend.startMachine(spec('old', tag), {});
    expect(await imageIdOn(tls.docker, tag)).toBe(before);
    const after = await build(tag);
    expect(after).not.toBe(before);
    const again = logged();
    await backend.startMachine(spec('new', tag), { log: again.log });
    expect(again.lines.filter((l) => SENT.test(l))).toHaveLength(1);
    expect(await imageIdOn(tls.docker, tag)).toBe(after);
    expect((await tls.docker.getContainer(spec('new', tag).name).inspect()).Image).toBe(after);
    expect([saves(tag), await loads(tls, since)]).toEqual([2, 2]);
  });

  it('a load the target refuses or drops, or a save the process’s engine breaks off, fails naming that engine and what to do; a later call sends again', async () => {
    const tag = `bottle-test-ship-${slug}-refused:v1`;
    const id = await build(tag);
    // The plain engine reached through a proxy in front of its own socket: the proxy answers the load itself, or drops it.
    const target = await startFaultProxy({ rate: 0, target: plain.socketPath });
    proxies.push(target);
    const at = endpointOfHost({ name: 'hosts.proxied', docker: target.dockerHost });
    const backend = createDockerBackend(at);
    const load = (m: string, p: string) => m === 'POST' && p.startsWith('/images/load');
    const machine = spec('refused', tag);

    target.failNext('500', load);
    const refused = await backend.startMachine(machine, {}).then(() => undefined, (error: unknown) => error);
    expect(refused).toBeInstanceOf(TaskError);
    expect(refused).toMatchObject({ code: 'IMAGE_SEND_FAILED', transient: true });
    expect((refused as TaskError).message).toContain(`could not send the image ${tag} to the Docker Engine at ${describeEndpoint(at)}: loading ${tag} into the target engine failed: (HTTP code 500) server error - context deadline exceeded`);
    expect((refused as TaskError).message).toMatch(/then run again$/);

    target.failNext('drop', load);
    const dropped = await backend.startMachine(machine, {}).then(() => undefined, (error: unknown) => error);
    expect(dropped).toMatchObject({ code: 'IMAGE_SEND_FAILED', transient: true });
    expect((dropped as TaskError).message).toContain(`to the Docker Engine at ${describeEndpoint(at)}: loading ${tag} into the target engine failed:`);
    expect(await imageIdOn(plain.docker, tag)).toBeUndefined();

    // The process's engine breaks off the save: said as the source's failure, the target still named.
    source.failNext('lost-answer', (m, p) => m === 'GET' && p === `/images/${tag}/get`);
    const unsaved = await backend.startMachine(machine, {}).then(() => undefined, (error: unknown) => error);
    expect(unsaved).toMatchObject({ code: 'IMAGE_SEND_FAILED', transient: true });
    expect((unsaved as TaskError).message).toContain(`could not send the image ${tag} to the Docker Engine at ${describeEndpoint(at)}: saving ${tag} from the source engine failed: socket hang up`);

    const retried = logged();
    expect(await backend.startMachine(machine, { log: retried.log })).toMatchObject({ created: true });
    expect(retried.lines.filter((l) => SENT.test(l))).toHaveLength(1);
    expect(await imageIdOn(plain.docker, tag)).toBe(id);
    expect(await running(plain.docker, machine.name)).toBe(true);
    expect(target.seen().filter((s) => load(...(s.request.split(' ') as [string, string])))).toHaveLength(3);
    expect(saves(tag)).toBe(4);
  });

  it('a cancelled run stops a sending held up on one engine, which keeps no other engine waiting; a later call sends again', async () => {
    const tag = `bottle-test-ship-${slug}-held:v1`;
    const id = await build(tag);
    const since = Date.now();
    const onTls = createDockerBackend(tlsAt);
    const controller = new AbortController();
    let cut: Promise<void> | undefined;
    // The link to the TLS engine is cut as its sending starts: the stream stalls there, holding that engine's turn.
    const held = onTls.startMachine(spec('held', tag), { signal: controller.signal, log: (l) => l.startsWith('send image ') && (cut ??= tls.cutLink()) });
    let settled = false;
    const outcome = held.then(() => undefined, (error: unknown) => error).finally(() => (settled = true));
    try {
      await until('the sending to the TLS engine starts', async () => cut !== undefined, 10_000);
      await cut;
      // The load's body is on its way and stuck there.
      await until('the load stalls on the cut link', async () => (await stalledSends(tls)) > 0, 10_000);

      // Meanwhile the plain engine gets the same image, and the held one is still waiting.
      const elsewhere = logged();
      await createDockerBackend(plainAt).startMachine(spec('elsewhere', tag), { log: elsewhere.log });
      expect(elsewhere.lines.filter((l) => SENT.test(l))).toHaveLength(1);
      expect(await imageIdOn(plain.docker, tag)).toBe(id);
      expect(settled).toBe(false);

      const began = Date.now();
      controller.abort();
      const error = await outcome;
      expect(Date.now() - began).toBeLessThan(2_000);
      expect(error).toMatchObject({ code: 'CANCELLED', message: `sending the image ${tag} to the Docker Engine at ${describeEndpoint(tlsAt)} was cancelled` });
      // And the stream is stopped, not just left behind: its connection is closed.
      await until('the stalled load is closed', async () => (await stalledSends(tls)) === 0, 2_000);
    } finally {
      await cut;
      await tls.restoreLink();
    }
    await until('the TLS engine answers again', () => tls.ping(2_000).then(() => true, () => false), 10_000);
    expect(await imageIdOn(tls.docker, tag)).toBeUndefined();

    const later = logged();
    await onTls.startMachine(spec('held', tag), { log: later.log });
    expect(later.lines.filter((l) => SENT.test(l))).toHaveLength(1);
    expect(await imageIdOn(tls.docker, tag)).toBe(id);
    expect(await running(tls.docker, spec('held', tag).name)).toBe(true);
    expect(await loads(tls, since)).toBe(1);
    expect(saves(tag)).toBe(3);
  });

  it('after a load, a target that answers the name with another image, or none, is an error naming it', async () => {
    const tag = `bottle-test-ship-${slug}-one:v1`;
    const there = await imageIdOn(tls.docker, tag);
    expect(there, 'the first test sent it there').toBeDefined();
    await expect(checkLoaded(tag, there!, tlsAt, {})).resolves.toBeUndefined();
    const other = `sha256:${'0'.repeat(64)}`;
    await expect(checkLoaded(tag, other, tlsAt, {})).rejects.toMatchObject({
      code: 'IMAGE_NOT_SHIPPED',
      message: expect.stringContaining(`the Docker Engine at ${describeEndpoint(tlsAt)} answers ${tag} with the image ${there!.slice(7, 19)} after loading 000000000000 under that name`),
    });
    await expect(checkLoaded(`bottle-test-ship-${slug}-none:v1`, other, tlsAt, {})).rejects.toMatchObject({
      message: expect.stringContaining(`the Docker Engine at ${describeEndpoint(tlsAt)} has no image bottle-test-ship-${slug}-none:v1 after loading`),
    });
  });
});
