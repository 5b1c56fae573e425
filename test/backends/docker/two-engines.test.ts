/**
 * The Docker backend made for two endpoints that are both the local dockerd,
 * reached two ways: the real socket, and a counting proxy in front of it
 * (test/helpers/docker-fault-proxy.ts). The process's own engine is a third
 * counting proxy, so a call that slips out of its backend's engine is seen
 * there. Each backend runs the same operations on objects of its own
 * (status, a labelled network made and removed, exec, files in and out, an
 * exec cancelled and a stream stopped from outside the backend, an
 * interactive session through the docker CLI), interleaved and concurrent.
 * The proxied backend's operations are run once alone, then again beside
 * the other backend's, with the same faults placed on the proxy: the proxy
 * must see the same calls both times (those sent again after a fault
 * included), none naming the other backend's objects, and the process's
 * engine none at all.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerBackend } from '../../../lib/backends/docker/index.js';
import type { Backend, NetworkSpec } from '../../../lib/backends/types.js';
import { endpointOfHost } from '../../../lib/docker/host-endpoint.js';
import { startFaultProxy, type FaultProxy, type SeenRequest } from '../../helpers/docker-fault-proxy.js';

const IMAGE = 'bot-bottle/base:bookworm';
const REAL_SOCKET = '/var/run/docker.sock';
const slug = `engines-${randomBytes(3).toString('hex')}`;
const labels = { 'bot-bottle.slug': slug, 'bot-bottle.test': '1' };
/** A /24 of 10.252.0.0/16 for this run; each side's network takes a /28 of it. */
const block = `10.252.${randomBytes(1)[0]}`;

interface Side {
  tag: string;
  machine: string;
  network: NetworkSpec;
}

function side(tag: string, index: number): Side {
  const name = `bottle-test-${slug}-${tag}`;
  return { tag, machine: name, network: { name, egress: { name: `${name}-out`, subnet: null }, subnet: `${block}.${16 * index}/28`, labels } };
}

/** Phase 1: the proxied backend alone; phase 2: the proxied backend (b) beside the direct one (c). */
const sides = { a: side('a', 1), b: side('b', 2), c: side('c', 3) };

let proxy: FaultProxy;
let processEngine: FaultProxy;
let work: string;

/** The docker CLI on the real socket, whatever the process's DOCKER_HOST says: what a user would check by hand. */
async function dockerCli(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa('docker', args, { reject: false, stdin: 'ignore', env: { DOCKER_HOST: `unix://${REAL_SOCKET}` } });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Waits until no process of `machine` runs `command` (a cancelled command is ended by a kill in the guest). */
async function gone(machine: string, command: string): Promise<void> {
  const running = async () => (await dockerCli(['exec', machine, 'sh', '-c', 'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < $f; echo; done'])).stdout.split('\n').some((l) => l.trim() === command);
  for (let i = 0; i < 50 && (await running()); i++) await new Promise((r) => setTimeout(r, 200));
  expect(await running(), `${command} still runs in ${machine}`).toBe(false);
}

async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.includes('\n')) return text.split('\n')[0]!;
  }
  return text;
}

/** Every operation the test makes through one backend, on its side's objects, several at once. */
async function operate(backend: Backend, { tag, machine, network }: Side): Promise<void> {
  const branches = [
    async () => {
      expect(await backend.status([machine])).toEqual(new Map([[machine, 'running']]));
      expect(await backend.status([machine], { fresh: true })).toEqual(new Map([[machine, 'running']]));
    },
    async () => {
      await backend.ensureNetwork(network, {});
      expect(await backend.networkExists(network)).toBe(true);
    },
    async () => {
      expect(await backend.exec(machine, ['sh', '-c', 'echo "$SIDE"'], { env: { SIDE: tag } })).toMatchObject({ exitCode: 0, stdout: tag });
      // An archive in (after /etc/passwd read through an archive stream, for nobody's ids) and out again.
      await backend.putFiles(machine, { dir: '/tmp', entries: [{ path: `note-${tag}`, content: `side ${tag}`, mode: 0o644 }], user: 'nobody' }, {});
      expect(String(await backend.readFile(machine, `/tmp/note-${tag}`, { user: 'root', maxBytes: 1024 }))).toBe(`side ${tag}`);
      await backend.copyOut(machine, `/tmp/note-${tag}`, join(work, `note-${tag}.tar`), { user: 'nobody' });
    },
    async () => {
      // Cancelled from here, outside the backend: the command is still stopped on the backend's engine.
      const controller = new AbortController();
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      // Said on stderr, after the wrapper's pid line there: Docker keeps the order within a stream only.
      const cancelled = backend.exec(machine, ['sh', '-c', 'echo started >&2; exec sleep 3001'], { signal: controller.signal, log: (line) => line === 'started' && started() });
      await running;
      controller.abort();
      await expect(cancelled).rejects.toBeDefined();
      await gone(machine, 'sleep 3001');
    },
    async () => {
      // Stopped from here, after the backend's call returned.
      const relay = await backend.execStream(machine, ['cat'], { user: 'nobody' });
      relay.stdin.write(`through ${tag}\n`);
      expect(await firstLine(relay.stdout)).toBe(`through ${tag}`);
      await relay.stop();
      await relay.ended;
      await gone(machine, 'cat');
    },
    async () => {
      expect(await backend.attach(machine, ['sh', '-c', 'exit 7'], { user: 'nobody', tty: false })).toBe(7);
    },
  ];
  await Promise.all(branches.map((branch) => branch()));
  await backend.removeNetwork(network, {});
}

/** Faults on the proxy for one run of the proxied side's operations: each makes a call be sent again. */
function placeFaults({ machine, network }: Side): void {
  proxy.failNext('503', (m, p) => m === 'GET' && /^\/containers\/json(\?|$)/.test(p));
  proxy.failNext('drop', (m, p) => m === 'GET' && p.startsWith(`/containers/${machine}/json`));
  proxy.failNext('500', (m, p) => m === 'GET' && p.startsWith(`/networks/${network.name}`) && !p.startsWith(`/networks/${network.name}-out`));
  proxy.failNext('drop', (m, p) => m === 'PUT' && p.startsWith(`/containers/${machine}/archive`));
}

const EXEC_ID = /\/exec\/([0-9a-f]{64})\//;
const INSPECT_EXEC = /^GET \/exec\/[0-9a-f]{64}\/json$/;

/**
 * What the proxy saw, as counts of calls with the side's tag and exec ids
 * taken out. An exec's inspections are left out: how many it takes for
 * Docker to record the exit code varies (exec.ts polls); they are checked
 * apart, to belong to execs started through the proxy.
 */
function calls(seen: SeenRequest[], tag: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of seen.filter((s) => !INSPECT_EXEC.test(s.request))) {
    const call = `${s.request.replaceAll(`${slug}-${tag}`, `${slug}-<side>`).replace(EXEC_ID, '/exec/<id>/')}${s.fault ? ` (${s.fault})` : ''}`;
    counts.set(call, (counts.get(call) ?? 0) + 1);
  }
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

beforeAll(async () => {
  const image = await dockerCli(['image', 'inspect', IMAGE]);
  expect(image.exitCode, `${IMAGE} is needed (bottle up builds it)`).toBe(0);
  [proxy, processEngine] = await Promise.all([startFaultProxy({ rate: 0, target: REAL_SOCKET }), startFaultProxy({ rate: 0, target: REAL_SOCKET })]);
  // The process's engine, read at its first use: any call that leaves its backend's engine ends up here.
  process.env.DOCKER_HOST = processEngine.dockerHost;
  work = await mkdtemp(join(tmpdir(), 'bottle-two-engines-'));
  for (const { machine } of Object.values(sides)) {
    const run = await dockerCli(['run', '-d', '--name', machine, ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]), IMAGE, 'sleep', 'infinity']);
    expect(run.exitCode, run.stderr).toBe(0);
  }
});

afterAll(async () => {
  for (const { machine, network } of Object.values(sides)) {
    await dockerCli(['rm', '-f', machine]);
    await dockerCli(['network', 'rm', network.name, network.egress.name]);
  }
  await Promise.all([proxy?.close(), processEngine?.close()]);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('two backends on two endpoints of one dockerd', () => {
  it("send each call to their own endpoint, those sent again and those made in callbacks too, and none to the process's engine", async () => {
    const proxied = endpointOfHost({ name: 'hosts.proxied', docker: proxy.dockerHost });
    const direct = endpointOfHost({ name: 'hosts.direct', docker: `unix://${REAL_SOCKET}` });

    placeFaults(sides.a);
    await operate(createDockerBackend(proxied), sides.a);
    const alone = proxy.seen();
    expect(proxy.injectedTotal()).toBe(4);

    const before = alone.length;
    placeFaults(sides.b);
    await Promise.all([operate(createDockerBackend(proxied), sides.b), operate(createDockerBackend(direct), sides.c)]);
    const beside = proxy.seen().slice(before);
    expect(proxy.injectedTotal()).toBe(8);

    // The same calls reached the proxy alone and beside the other backend: none of the other's, none of its own missing.
    expect(calls(beside, 'b')).toEqual(calls(alone, 'a'));
    expect(beside.filter((s) => s.request.includes(`${slug}-c`))).toEqual([]);
    // Every exec inspected through the proxy was started through it.
    const started = new Set(beside.filter((s) => / \/exec\/[0-9a-f]{64}\/start$/.test(s.request)).map((s) => EXEC_ID.exec(s.request)![1]));
    const inspected = beside.filter((s) => INSPECT_EXEC.test(s.request)).map((s) => EXEC_ID.exec(s.request)![1]);
    expect(inspected.length).toBeGreaterThan(0);
    expect(inspected.filter((id) => !started.has(id))).toEqual([]);
    // Nothing slipped out to the process's engine: not a retry, not a stop from an abort or a caller.
    expect(processEngine.seen()).toEqual([]);

    // What the proxied side did, for the record (and to show the operations are there).
    const kinds = [...calls(alone, 'a').keys()];
    for (const kind of ['GET /containers/json (503)', 'POST /networks/create', 'PUT /containers/bottle-test-<side>/archive (drop)', 'GET /containers/bottle-test-<side>/archive', 'DELETE /networks/bottle-test-<side>']) {
      expect(kinds).toContain(kind.replace('bottle-test-<side>', `bottle-test-${slug}-<side>`));
    }
  });
});
