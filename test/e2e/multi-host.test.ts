/**
 * NEEDS ROOT (test engines in network namespaces: test/helpers/engine-in-netns.ts).
 * Bottles spread over several Docker Engines (issue 15), the built CLI end to
 * end against three engines: this machine's own ("local"), one over TLS with
 * client certificates ("b") and one over plain TCP the manifest calls
 * insecure ("c"), the two made by the test in network namespaces and shared
 * by the whole file. Each scenario has a project directory (manifest, the
 * TLS files, its state root) of its own.
 * - Nine bottles, budgets 3/3/3, spread: three per engine, each reached on
 *   its own engine (exec, status --probe, ls, hosts), the plain-TCP warning,
 *   a bottle on b attacked the way escape.test.ts attacks a local one, a
 *   second `up` that moves nothing, and `down` that leaves nothing anywhere.
 * - A host cut before `up`: the bottle pinned to it is not started, naming
 *   it; the others come up; exit 1.
 * - A host cut mid-run: its bottles fail naming it, within a bound; the
 *   others come up; exit 1. Then `up --reschedule`, the link still cut,
 *   moves them to the hosts left.
 * Traffic goes only to this machine and to the namespaces the test made.
 */
import Docker from 'dockerode';
import { execa } from 'execa';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_LOST_MS } from '../../lib/hosts/host-watch.js';
import { hostIn } from '../../lib/net/subnets.js';
import { BOTTLE, bottle, type CliRun } from '../helpers/cli.js';
import { startTlsAndPlainEngines, type TestEngine } from '../helpers/engine-in-netns.js';
import { ASK, hostAddresses, PROBE } from '../helpers/escape-probes.js';
import { startNetnsListener, type NetnsListener } from '../helpers/netns-listener.js';

type HostName = 'local' | 'b' | 'c';
const HOSTS: readonly HostName[] = ['local', 'b', 'c'];

interface Engine {
  docker: Docker;
  /** For the docker CLI: empty for the local engine (this process's own DOCKER_HOST or socket). */
  dockerEnv: Record<string, string>;
}

interface Plan {
  agent: string;
  slug: string;
  machine: string;
  bundle: string;
  bundleIp: string;
  host?: { name: string; engine: { kind: string; docker?: string; tls?: { ca: string; cert: string; key: string } }; insecure: boolean };
  network: { name: string; subnet: string; egress: { name: string } };
  labels: Record<string, string>;
}

interface Project {
  dir: string;
  manifest: string;
  stateRoot: string;
  env: Record<string, string>;
}

interface Labelled {
  id: string;
  name: string;
  slug: string;
  role: string;
  running: boolean;
}

const STATE_ROOT_LABEL = 'bot-bottle.state-root';
const started: TestEngine[] = [];
let tlsEngine: TestEngine;
let plainEngine: TestEngine;
const engines = {} as Record<HostName, Engine>;
let work: string;
const projects: Project[] = [];

beforeAll(async () => {
  [tlsEngine, plainEngine] = await startTlsAndPlainEngines(started);
  engines.local = { docker: new Docker(), dockerEnv: {} };
  engines.b = { docker: tlsEngine.docker, dockerEnv: tlsEngine.dockerEnv };
  engines.c = { docker: plainEngine.docker, dockerEnv: plainEngine.dockerEnv };
  work = await mkdtemp(join(tmpdir(), 'bottle-multi-host-'));
}, 120_000);

afterAll(async () => {
  const errors: unknown[] = [];
  // A link a failed test left cut: `down` must reach every engine.
  for (const e of started) await e.restoreLink().then(() => answering(e)).catch((error: unknown) => errors.push(error));
  for (const p of projects) {
    const down = await bottle(['down', '-f', p.manifest, '--purge'], p.env, p.dir);
    if (down.exitCode !== 0) errors.push(new Error(`bottle down --purge in ${p.dir} exited ${down.exitCode}: ${down.stderr}`));
    // Whatever a failed test left on this machine's engine; the test engines go whole with stop().
    await removeLabelled(engines.local, p.stateRoot).catch((error: unknown) => errors.push(error));
  }
  const stops = await Promise.allSettled(started.map((e) => e.stop()));
  for (const s of stops) if (s.status === 'rejected') errors.push(s.reason);
  if (work) await rm(work, { recursive: true, force: true });
  if (errors.length) throw new AggregateError(errors, `cleaning up failed: ${errors.map((e) => (e as Error).message).join('; ')}`);
}, 180_000);

/** A project directory: the manifest, the TLS files of b next to it (they must be inside it), its state root. */
async function project(name: string, manifest: string): Promise<Project> {
  const dir = join(work, name);
  await mkdir(join(dir, 'certs'), { recursive: true });
  for (const part of ['ca', 'cert', 'key'] as const) await copyFile(tlsEngine.tls![part], join(dir, 'certs', `${part}.pem`));
  await writeFile(join(dir, 'bottle.yaml'), manifest);
  const stateRoot = join(dir, 'state');
  const p = { dir, manifest: join(dir, 'bottle.yaml'), stateRoot, env: { ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: stateRoot } };
  projects.push(p);
  return p;
}

/** `hosts:` with the three engines, each with a budget of `budget` bottles. */
function hostsYaml(budget: number): string {
  return [
    'hosts:',
    `  local: { bottles: ${budget} }`,
    `  b: { docker: "${tlsEngine.tcpUrl}", tls: { ca: certs/ca.pem, cert: certs/cert.pem, key: certs/key.pem }, bottles: ${budget} }`,
    `  c: { docker: "${plainEngine.tcpUrl}", insecure: true, bottles: ${budget} }`,
  ].join('\n');
}

function run(p: Project, args: string[]): Promise<CliRun> {
  return bottle([...args, '-f', p.manifest], p.env, p.dir);
}

/** What a run said, for an assertion's message. */
function said(r: CliRun): string {
  return `exit ${r.exitCode}\nstderr:\n${r.stderr}\nstdout (end):\n${r.stdout.split('\n').slice(-40).join('\n')}`;
}

async function plansOf(p: Project): Promise<Plan[]> {
  const status = await statusJson(p);
  return Promise.all(status.map(async (b) => JSON.parse(await readFile(join(p.stateRoot, b.slug, 'plan.json'), 'utf8')) as Plan));
}

interface StatusBottle {
  agent: string;
  slug: string;
  state: string;
  tasks: Record<string, { status: string; attempts: number; error?: string }>;
  machines?: { agent: string; bundle: string };
}

async function statusJson(p: Project, probe = false): Promise<StatusBottle[]> {
  const r = await run(p, ['status', '--json', ...(probe ? ['--probe'] : [])]);
  expect(r.exitCode, said(r)).toBe(0);
  return (JSON.parse(r.stdout) as { bottles: StatusBottle[] }).bottles;
}

function hostOf(plan: Plan): string {
  return plan.host?.name ?? 'local';
}

/** The containers on an engine labelled with a state root (agents, bundles, anything else bottle made). */
async function labelledContainers(engine: Engine, stateRoot: string): Promise<Labelled[]> {
  const list = await engine.docker.listContainers({ all: true, filters: { label: [`${STATE_ROOT_LABEL}=${stateRoot}`] } });
  return list.map((c) => ({
    id: c.Id,
    name: c.Names[0]!.replace(/^\//, ''),
    slug: c.Labels['bot-bottle.slug'] ?? '',
    role: c.Labels['bot-bottle.role'] ?? '',
    running: c.State === 'running',
  }));
}

/** What an engine holds of a state root: containers, networks and volumes with its label. */
async function leftovers(engine: Engine, stateRoot: string): Promise<string[]> {
  const filters = { label: [`${STATE_ROOT_LABEL}=${stateRoot}`] };
  const containers = await engine.docker.listContainers({ all: true, filters });
  const networks = await engine.docker.listNetworks({ filters });
  const volumes = (await engine.docker.listVolumes({ filters })).Volumes ?? [];
  return [...containers.map((c) => `container ${c.Names[0]}`), ...networks.map((n) => `network ${n.Name}`), ...volumes.map((v) => `volume ${v.Name}`)];
}

/** Everything on a test engine but its default networks: it is the test's alone, so anything there is left over. */
async function anythingOn(engine: Engine): Promise<string[]> {
  const containers = await engine.docker.listContainers({ all: true });
  const networks = (await engine.docker.listNetworks()).filter((n) => !['bridge', 'host', 'none'].includes(n.Name));
  const volumes = (await engine.docker.listVolumes()).Volumes ?? [];
  return [...containers.map((c) => `container ${c.Names[0]}`), ...networks.map((n) => `network ${n.Name}`), ...volumes.map((v) => `volume ${v.Name}`)];
}

/** Nothing of the state root on any engine, and nothing at all on the test engines. */
async function expectNothingLeft(stateRoot: string): Promise<void> {
  for (const host of HOSTS) expect(await leftovers(engines[host], stateRoot), `left on ${host}`).toEqual([]);
  for (const host of ['b', 'c'] as const) expect(await anythingOn(engines[host]), `left on ${host}`).toEqual([]);
}

/** Removes what is labelled with a state root on an engine (cleanup after a failed test). */
async function removeLabelled(engine: Engine, stateRoot: string): Promise<void> {
  const filters = { label: [`${STATE_ROOT_LABEL}=${stateRoot}`] };
  for (const c of await engine.docker.listContainers({ all: true, filters })) await engine.docker.getContainer(c.Id).remove({ force: true });
  for (const n of await engine.docker.listNetworks({ filters })) await engine.docker.getNetwork(n.Id).remove();
  for (const v of (await engine.docker.listVolumes({ filters })).Volumes ?? []) await engine.docker.getVolume(v.Name).remove();
}

/** The docker CLI against one engine. */
async function dockerOn(engine: Engine, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa('docker', args, { env: { ...(process.env as Record<string, string>), ...engine.dockerEnv }, reject: false, stdin: 'ignore' });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Runs argv in a guest on its engine, as `user` (the agent's by default), not through bottle. */
function guestOn(engine: Engine, machine: string, argv: string[], user = 'node') {
  return dockerOn(engine, ['exec', '--user', user, machine, ...argv]);
}

/** The ids of the state root's containers on each engine, by name. */
async function containerIds(stateRoot: string): Promise<Record<HostName, Record<string, string>>> {
  const out = {} as Record<HostName, Record<string, string>>;
  for (const host of HOSTS) out[host] = Object.fromEntries((await labelledContainers(engines[host], stateRoot)).map((c) => [c.name, c.id]));
  return out;
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

/** Waits for an engine whose link was restored to answer again (the host may say EHOSTUNREACH until it resolves the neighbour again). */
async function answering(engine: TestEngine, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await engine.ping(2_000);
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${engine.name} did not answer within ${timeoutMs} ms of its link coming back: ${(error as Error).message}`);
      await new Promise((ok) => setTimeout(ok, 250));
    }
  }
}

const WARNING = (ip: string) => new RegExp(`^bottle: warning: host c \\(tcp://${ip.replace(/\./g, '\\.')}:2375\\) is plain TCP without TLS`, 'm');

describe('nine bottles over three engines, budgets 3/3/3, placement spread', () => {
  let p: Project;
  let first: CliRun;
  let plans: Plan[];

  beforeAll(async () => {
    p = await project('spread', `${hostsYaml(3)}\nplacement: spread\nbottles: { dev: {} }\nagents: { w: { bottle: dev } }\n`);
    first = await run(p, ['up', '-n', '9', '--progress', 'plain']);
    plans = await plansOf(p);
  }, 600_000);

  it('brings all nine up, warning once that host c is plain TCP', async () => {
    expect(first.exitCode, said(first)).toBe(0);
    expect(first.stderr).toMatch(WARNING(plainEngine.ip));
    expect(first.stderr.match(/warning: host/g), first.stderr).toHaveLength(1);
    expect(first.stderr).not.toMatch(/not started/);
    const status = await statusJson(p);
    expect(status.map((b) => b.agent).sort()).toEqual(['w-1', 'w-2', 'w-3', 'w-4', 'w-5', 'w-6', 'w-7', 'w-8', 'w-9']);
    expect(status.filter((b) => b.state !== 'ready').map((b) => `${b.agent}: ${b.state} ${JSON.stringify(b.tasks)}`)).toEqual([]);
  });

  it('places three on each engine, keeps where in plan.json, and each engine runs exactly those (agent and bundle)', async () => {
    expect(countBy(plans, hostOf)).toEqual({ local: 3, b: 3, c: 3 });
    for (const plan of plans) {
      const tls = { ca: join(p.dir, 'certs', 'ca.pem'), cert: join(p.dir, 'certs', 'cert.pem'), key: join(p.dir, 'certs', 'key.pem') };
      const expected = {
        local: { name: 'local', engine: { kind: 'local' }, insecure: false },
        b: { name: 'b', engine: { kind: 'url', docker: tlsEngine.tcpUrl, tls }, insecure: false },
        c: { name: 'c', engine: { kind: 'url', docker: plainEngine.tcpUrl }, insecure: true },
      }[hostOf(plan) as HostName];
      expect(plan.host, plan.agent).toEqual(expected);
    }
    for (const host of HOSTS) {
      const here = plans.filter((plan) => hostOf(plan) === host).map((plan) => plan.slug).sort();
      const containers = await labelledContainers(engines[host], p.stateRoot);
      const agents = containers.filter((c) => c.role === 'agent');
      const bundles = containers.filter((c) => c.role === 'bundle');
      expect(agents.map((c) => c.slug).sort(), `agents on ${host}`).toEqual(here);
      expect(bundles.map((c) => c.slug).sort(), `bundles on ${host}`).toEqual(here);
      expect(containers, `nothing else on ${host}`).toHaveLength(6);
      expect(containers.every((c) => c.running), JSON.stringify(containers)).toBe(true);
    }
  });

  it('reaches one bottle on each engine with bottle exec: the container there, not a namesake elsewhere', async () => {
    for (const host of HOSTS) {
      const plan = plans.find((x) => hostOf(x) === host)!;
      const engine = engines[host];
      // A mark only that engine's container holds, written there by the engine itself.
      const mark = `${host}-${Math.random().toString(36).slice(2)}`;
      const put = await dockerOn(engine, ['exec', '--user', '0', plan.machine, 'sh', '-c', `printf %s ${mark} > /tmp/engine-mark && chmod 644 /tmp/engine-mark`]);
      expect(put.exitCode, put.stderr).toBe(0);
      const inspect = await engine.docker.getContainer(plan.machine).inspect();
      const r = await run(p, ['exec', plan.agent, '--', 'sh', '-c', 'hostname; cat /etc/hostname; cat /tmp/engine-mark; echo; id -un']);
      expect(r.exitCode, said(r)).toBe(0);
      expect(r.stdout.trim().split('\n'), `${plan.agent} on ${host}`).toEqual([inspect.Config.Hostname, inspect.Config.Hostname, mark, 'node']);
    }
  });

  it('bottle status lists each, and --probe finds each one\'s machines running on its own engine', async () => {
    const text = await run(p, ['status']);
    expect(text.exitCode, said(text)).toBe(0);
    for (const plan of plans) expect(text.stdout, plan.agent).toMatch(new RegExp(`^\\s*${plan.agent}\\b.*ready`, 'm'));
    const probed = await statusJson(p, true);
    expect(probed).toHaveLength(9);
    for (const b of probed) expect(b.machines, b.agent).toEqual({ agent: 'running', bundle: 'running' });
  });

  it('bottle ls says docker@b and docker@c, and bottle hosts counts three against each budget', async () => {
    const ls = await bottle(['ls'], p.env, p.dir);
    expect(ls.exitCode, said(ls)).toBe(0);
    for (const plan of plans) {
      const line = ls.stdout.split('\n').find((l) => l.startsWith(`${plan.agent} `));
      expect(line, plan.agent).toBeDefined();
      if (hostOf(plan) === 'local') expect(line).toMatch(/\sdocker\s/);
      else expect(line).toContain(` docker@${hostOf(plan)} `);
      expect(line).toMatch(/\sup\s/);
    }
    const lsJson = JSON.parse((await bottle(['ls', '--json'], p.env, p.dir)).stdout) as { bottles: { slug: string; state: string; host?: string }[] };
    expect(Object.fromEntries(lsJson.bottles.map((b) => [b.slug, b.host ?? 'local']))).toEqual(Object.fromEntries(plans.map((plan) => [plan.slug, hostOf(plan)])));
    const hosts = await run(p, ['hosts', '--json']);
    expect(hosts.exitCode, said(hosts)).toBe(0);
    const listed = (JSON.parse(hosts.stdout) as { hosts: { name: string; reachable: boolean; bottles: number; budget?: number }[] }).hosts;
    expect(listed.map((h) => ({ name: h.name, reachable: h.reachable, bottles: h.bottles, budget: h.budget }))).toEqual(
      HOSTS.map((name) => ({ name, reachable: true, bottles: 3, budget: 3 })),
    );
  });

  describe('a bottle on the TLS engine, attacked as escape.test.ts attacks a local one', () => {
    let alpha: Plan;
    let beta: Plan;
    let b: Engine;
    let listener: NetnsListener;
    /** The host end of b's veth: this machine's address on the link to b's namespace. */
    let hostEnd: string;
    let service: Server;
    let servicePort: number;
    const serviceSeen: string[] = [];
    let udp: UdpSocket;
    let udpPort: number;
    const udpSeen: string[] = [];
    let docker0: string;
    let egressGateway: string;

    beforeAll(async () => {
      [alpha, beta] = plans.filter((plan) => hostOf(plan) === 'b') as [Plan, Plan];
      b = engines.b;
      hostEnd = tlsEngine.ip.replace(/\.254$/, '.253');
      listener = await startNetnsListener(tlsEngine.name);
      service = createServer((c) => {
        serviceSeen.push(String(c.remoteAddress));
        c.end('a service of this machine\n');
      });
      await new Promise<void>((ok) => service.listen(0, '0.0.0.0', ok));
      servicePort = (service.address() as { port: number }).port;
      udp = createSocket('udp4');
      udp.on('message', (m) => udpSeen.push(m.toString('latin1')));
      await new Promise<void>((ok, fail) => udp.once('error', fail).bind(0, hostEnd, () => ok()));
      udpPort = udp.address().port;
      docker0 = ((await b.docker.getNetwork('bridge').inspect()) as { IPAM: { Config: { Gateway: string }[] } }).IPAM.Config[0]!.Gateway;
      egressGateway = ((await b.docker.getNetwork(alpha.network.egress.name).inspect()) as { IPAM: { Config: { Gateway: string }[] } }).IPAM.Config[0]!.Gateway;
    }, 30_000);

    afterAll(async () => {
      service?.close();
      udp?.close();
      await listener?.stop();
    });

    async function probe(machine: string, targets: [string, number][]): Promise<string[]> {
      const r = await guestOn(b, machine, ['node', '-e', PROBE, JSON.stringify(targets)]);
      expect(r.exitCode, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as string[];
    }

    async function ipOf(container: string, network: string): Promise<string> {
      const inspect = await b.docker.getContainer(container).inspect();
      return inspect.NetworkSettings.Networks[network]!.IPAddress;
    }

    it('reaches no service of b\'s host (its addresses, gateways, engine API) nor of this machine, but its proxy', async () => {
      // The controls: the services answer whoever reaches them (this process does).
      await new Promise<void>((ok, fail) => connect(listener.port, tlsEngine.ip).on('data', () => ok()).on('error', fail));
      await new Promise<void>((ok, fail) => connect(servicePort, hostEnd).on('data', () => ok()).on('error', fail));
      expect(listener.serviceSeen).toHaveLength(1);
      expect(serviceSeen).toHaveLength(1);
      listener.serviceSeen.length = 0;
      serviceSeen.length = 0;
      const engineHost = [tlsEngine.ip, docker0, hostIn(alpha.network.subnet, 1), egressGateway];
      const targets: [string, number][] = [
        ...engineHost.flatMap((a): [string, number][] => [[a, listener.port], [a, 2376], [a, 53]]),
        ...[hostEnd, ...hostAddresses()].map((a): [string, number] => [a, servicePort]),
      ];
      const results = await probe(alpha.machine, targets);
      expect(results).toHaveLength(targets.length);
      expect(results.filter((r) => r.endsWith(' open'))).toEqual([]);
      expect(listener.serviceSeen).toEqual([]);
      expect(serviceSeen).toEqual([]);
      // The probe can tell: its own bundle's proxy port is open.
      expect(await probe(alpha.machine, [[alpha.bundleIp, 3128]])).toEqual([`${alpha.bundleIp}:3128 open`]);
    });

    it('reaches no other bottle on b, and no port of its bundle but the service ports', async () => {
      const betaAgent = await ipOf(beta.machine, beta.network.name);
      const betaBundleOut = await ipOf(beta.bundle, beta.network.egress.name);
      const alphaBundleOut = await ipOf(alpha.bundle, alpha.network.egress.name);
      expect([betaAgent, betaBundleOut, alphaBundleOut].every((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a))).toBe(true);
      const results = await probe(alpha.machine, [
        [beta.bundleIp, 3128],
        [betaAgent, 22],
        [betaBundleOut, 3128],
        [alphaBundleOut, 3128],
        ...[22, 53, 80, 443, 3129, 8080].map((port): [string, number] => [alpha.bundleIp, port]),
      ]);
      expect(results.filter((r) => r.endsWith(' open'))).toEqual([]);
    });

    it('cannot use IPv6 at all', async () => {
      const r = await guestOn(b, alpha.machine, ['cat', '/proc/sys/net/ipv6/conf/all/disable_ipv6']);
      expect(r.stdout).toBe('1');
    });

    it('sends no lookup of an outside name to a resolver on b\'s host or on this machine', async () => {
      // The controls: both loggers hear what is sent to them from here.
      const control = `control-${Date.now()}.example`;
      const here = createSocket('udp4');
      await new Promise<void>((ok) => here.send(Buffer.from(`\u0000${control}`), 53, tlsEngine.ip, () => ok()));
      await new Promise<void>((ok) => here.send(Buffer.from(`\u0000${control}`), udpPort, hostEnd, () => ok()));
      here.close();
      await new Promise((ok) => setTimeout(ok, 300));
      expect(listener.dnsSeen.some((q) => q.includes(control))).toBe(true);
      expect(udpSeen.some((q) => q.includes(control))).toBe(true);

      const label = `leak${Date.now()}`;
      const name = `${label}.example`;
      await guestOn(b, alpha.machine, ['getent', 'hosts', name]);
      const servers = ['127.0.0.11', hostIn(alpha.network.subnet, 1), docker0, egressGateway, tlsEngine.ip, `${hostEnd}:${udpPort}`, hostEnd];
      const asked = await guestOn(b, alpha.machine, ['node', '-e', ASK, name, ...servers]);
      expect(asked.exitCode, asked.stderr).toBe(0);
      await new Promise((ok) => setTimeout(ok, 500));
      expect(listener.dnsSeen.filter((q) => q.includes(label))).toEqual([]);
      expect(udpSeen.filter((q) => q.includes(label))).toEqual([]);
      // Docker's resolver on b forwards what it cannot answer to the bundle, inside the bottle; the bundle's own name resolves.
      const inspect = await b.docker.getContainer(alpha.machine).inspect();
      expect(inspect.HostConfig.Dns).toEqual([alpha.bundleIp]);
      expect((await guestOn(b, alpha.machine, ['getent', 'hosts', alpha.bundle])).stdout).toContain(alpha.bundleIp);
    });

    it('runs hardened on b: the agent with no capabilities, the bundle read-only and not root, no path of this machine mounted', async () => {
      const a = await b.docker.getContainer(alpha.machine).inspect();
      expect(a.HostConfig.CapDrop).toEqual(['ALL']);
      expect(a.HostConfig.SecurityOpt).toEqual(['no-new-privileges']);
      expect(a.HostConfig.Privileged).toBe(false);
      expect((await guestOn(b, alpha.machine, ['grep', 'CapEff', '/proc/self/status'], '0')).stdout).toMatch(/^CapEff:\s+0+$/);
      const bundle = await b.docker.getContainer(alpha.bundle).inspect();
      expect(bundle.Config.User).not.toMatch(/^(0|root)?(:|$)/);
      expect(bundle.HostConfig.ReadonlyRootfs).toBe(true);
      expect(bundle.HostConfig.CapDrop).toEqual(['ALL']);
      // A bind mount on another engine would be a path of that host, not of this machine: the bundle's state is in volumes of its own.
      for (const c of [a, bundle]) expect(c.Mounts.filter((m) => m.Type === 'bind').map((m) => m.Source), c.Name).toEqual([]);
      const writable = bundle.Mounts.filter((m) => m.RW);
      expect(writable.length).toBeGreaterThan(0);
      for (const m of writable) expect(m, JSON.stringify(m)).toMatchObject({ Type: 'volume', Name: expect.stringMatching(new RegExp(`^${alpha.bundle}-`)) });
    });
  });

  it('moves nothing on a second up: the same containers on each engine, every plan where it was', async () => {
    const before = await containerIds(p.stateRoot);
    expect(Object.values(before).map((ids) => Object.keys(ids).length)).toEqual([6, 6, 6]);
    const again = await run(p, ['up', '-n', '9', '--progress', 'plain']);
    expect(again.exitCode, said(again)).toBe(0);
    expect(again.stderr).toMatch(WARNING(plainEngine.ip));
    expect(await containerIds(p.stateRoot)).toEqual(before);
    expect((await plansOf(p)).map((plan) => [plan.slug, plan.host])).toEqual(plans.map((plan) => [plan.slug, plan.host]));
    expect((await statusJson(p)).every((b) => b.state === 'ready')).toBe(true);
  }, 300_000);

  it('bottle down leaves no container, network or volume of the state root on any engine', async () => {
    expect((await leftovers(engines.b, p.stateRoot)).some((l) => l.startsWith('volume '))).toBe(true);
    const down = await run(p, ['down']);
    expect(down.exitCode, said(down)).toBe(0);
    await expectNothingLeft(p.stateRoot);
  }, 300_000);
});

describe('a host unreachable when up starts', () => {
  it('does not start the bottle pinned to it, naming the host; the others come up; exit 1', async () => {
    const p = await project(
      'unreachable',
      `${hostsYaml(3)}\nplacement: spread\nbottles: { dev: {} }\nagents:\n  near: { bottle: dev }\n  far: { bottle: dev, host: c }\n`,
    );
    await plainEngine.cutLink();
    let r: CliRun;
    try {
      r = await run(p, ['up', '--progress', 'plain']);
    } finally {
      await plainEngine.restoreLink();
    }
    expect(r.exitCode, said(r)).toBe(1);
    expect(r.stderr).toMatch(/^bottle: far not started: .*\bhost c\b.*unreachable/m);
    expect(r.stderr).not.toMatch(/^bottle: near not started/m);
    const status = await statusJson(p);
    expect(status.find((b) => b.agent === 'near')?.state).toBe('ready');
    expect(status.find((b) => b.agent === 'far')?.state ?? 'not there').not.toBe('ready');
    const near = (await plansOf(p)).find((plan) => plan.agent === 'near')!;
    expect(hostOf(near)).not.toBe('c');
    expect(await labelledContainers(engines[hostOf(near) as HostName], p.stateRoot)).toHaveLength(2);
    await answering(plainEngine);
    expect(await leftovers(engines.c, p.stateRoot)).toEqual([]);
    const down = await run(p, ['down']);
    expect(down.exitCode, said(down)).toBe(0);
    await expectNothingLeft(p.stateRoot);
  }, 300_000);
});

describe('up --reschedule of a bottle whose last run failed, its host answering', () => {
  it('moves it to a host with room and removes what it had on the host it left', async () => {
    // pack fills the first host first: the bottle goes to c.
    const manifest = [
      'hosts:',
      `  c-first: { docker: "${plainEngine.tcpUrl}", insecure: true }`,
      `  b: { docker: "${tlsEngine.tcpUrl}", tls: { ca: certs/ca.pem, cert: certs/cert.pem, key: certs/key.pem } }`,
      'placement: pack',
      'bottles: { dev: {} }',
      'agents: { mover: { bottle: dev } }',
    ].join('\n');
    const p = await project('moved', `${manifest}\n`);
    const first = await run(p, ['up', '--progress', 'plain']);
    expect(first.exitCode, said(first)).toBe(0);
    const [before] = await plansOf(p);
    expect(hostOf(before!)).toBe('c-first');
    expect(await leftovers(engines.c, p.stateRoot)).not.toEqual([]);
    // Its last run failed (as a lost host or a broken task leaves the record).
    const recordPath = join(p.stateRoot, before!.slug, 'record.json');
    const record = JSON.parse(await readFile(recordPath, 'utf8')) as { tasks: Record<string, { status: string }> };
    record.tasks.ready!.status = 'failed';
    await writeFile(recordPath, JSON.stringify(record));
    const moved = await run(p, ['up', '--reschedule', '--host', 'b', '--progress', 'plain']);
    expect(moved.exitCode, said(moved)).toBe(0);
    expect(moved.stderr).toMatch(/^bottle: mover moves to host b; its containers .* on host c-first are removed$/m);
    const [after] = await plansOf(p);
    expect(hostOf(after!)).toBe('b');
    expect((await statusJson(p))[0]?.state).toBe('ready');
    expect(await leftovers(engines.c, p.stateRoot)).toEqual([]);
    expect(await labelledContainers(engines.b, p.stateRoot)).toHaveLength(2);
    const down = await run(p, ['down']);
    expect(down.exitCode, said(down)).toBe(0);
    await expectNothingLeft(p.stateRoot);
  }, 300_000);
});

describe('a host lost mid-run', () => {
  let p: Project;

  it('fails the lost host\'s bottles naming it, within a bound of the cut; the others come up; exit 1', async () => {
    p = await project('lost', `${hostsYaml(3)}\nplacement: spread\nbottles: { dev: {} }\nagents: { w: { bottle: dev } }\n`);
    const child = execa('node', [BOTTLE, 'up', '-n', '6', '--progress', 'plain', '-f', p.manifest], { env: p.env, cwd: p.dir, reject: false, stdin: 'ignore' });
    let cutAt = 0;
    const onC = new Map<string, boolean>();
    let out = '';
    // Cut c the moment one of its bottles starts its bundle (plans are written before the first task starts).
    const cut = new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (cutAt) return;
        try {
          // A row names the bottle by its slug, `@<host>` after it where the display adds one; its plan says where it is.
          for (const m of out.matchAll(/^([a-z0-9-]+)(?:@\S+)?\s+daemons\s+started$/gm)) {
            const slug = m[1]!;
            if (!onC.has(slug)) {
              const plan = JSON.parse(readFileSync(join(p.stateRoot, slug, 'plan.json'), 'utf8')) as Plan;
              onC.set(slug, hostOf(plan) === 'c');
            }
            if (onC.get(slug) && !cutAt) {
              cutAt = performance.now();
              plainEngine.cutLink().then(resolve, reject);
              return;
            }
          }
        } catch (error) {
          reject(error as Error);
        }
      });
      void child.then(() => reject(new Error(`up ended before a bottle on c started its bundle:\n${out}`)));
    });
    await cut;
    const r = await child;
    const afterCut = performance.now() - cutAt;
    const stdout = String(r.stdout);
    expect(r.exitCode, `${r.stderr}\n${stdout}`).toBe(1);
    expect(afterCut).toBeLessThan(90_000);
    const plans = await plansOf(p);
    expect(countBy(plans, hostOf)).toEqual({ local: 2, b: 2, c: 2 });
    const status = await statusJson(p);
    const lostMessage = new RegExp(`host c is lost: its Docker Engine at ${plainEngine.ip.replace(/\./g, '\\.')}:2375 \\(hosts\\.c\\) has not answered for (\\d+) s`);
    for (const plan of plans) {
      const b = status.find((s) => s.slug === plan.slug)!;
      if (hostOf(plan) === 'c') {
        expect(b.state, plan.agent).toBe('failed');
        const failed = Object.values(b.tasks).filter((t) => t.status === 'failed');
        expect(failed.length, JSON.stringify(b.tasks)).toBeGreaterThan(0);
        for (const t of failed) {
          expect(t.error).toMatch(lostMessage);
          // Silent for the watch's 15 s at least, and no longer than the run lasted after the cut (and a ping's 2 s before it).
          const silent = Number(lostMessage.exec(t.error!)![1]);
          expect(silent).toBeGreaterThanOrEqual(HOST_LOST_MS / 1000);
          expect(silent).toBeLessThanOrEqual(Math.ceil(afterCut / 1000) + 3);
          expect(t.attempts, 'not retried').toBe(1);
        }
      } else {
        expect(b.state, `${plan.agent} on ${hostOf(plan)}: ${JSON.stringify(b.tasks)}`).toBe('ready');
      }
    }
    expect(stdout).toMatch(lostMessage);
  }, 300_000);

  it('moves them to the hosts left with up --reschedule, the link still cut: all up, plan.json updated, the others untouched', async () => {
    expect(p, 'the test before made the project').toBeDefined();
    const before = await plansOf(p);
    const ids = { local: await labelledContainers(engines.local, p.stateRoot), b: await labelledContainers(engines.b, p.stateRoot) };
    const r = await run(p, ['up', '-n', '6', '--reschedule', '--progress', 'plain']);
    expect(r.exitCode, said(r)).toBe(0);
    expect(r.stderr).not.toMatch(/not started/);
    const after = await plansOf(p);
    expect(countBy(after, hostOf)).toEqual({ local: 3, b: 3 });
    for (const plan of before.filter((x) => hostOf(x) !== 'c')) {
      expect(hostOf(after.find((x) => x.slug === plan.slug)!), `${plan.agent} stays`).toBe(hostOf(plan));
    }
    expect((await statusJson(p)).map((b) => [b.agent, b.state])).toEqual(after.map((plan) => [plan.agent, 'ready']));
    // The bottles that stayed kept their containers; the moved ones are new on local and b.
    for (const host of ['local', 'b'] as const) {
      const now = await labelledContainers(engines[host], p.stateRoot);
      expect(now.filter((c) => c.role === 'agent').map((c) => c.slug).sort()).toEqual(after.filter((x) => hostOf(x) === host).map((x) => x.slug).sort());
      for (const c of ids[host]) expect(now.find((n) => n.name === c.name)?.id, c.name).toBe(c.id);
    }
    const probed = await statusJson(p, true);
    for (const b of probed) expect(b.machines, b.agent).toEqual({ agent: 'running', bundle: 'running' });
  }, 300_000);

  it('after the link is back: down removes the bottles from local and b; what was stranded on c is removed by hand', async () => {
    expect(p, 'the tests before made the project').toBeDefined();
    await plainEngine.restoreLink();
    await answering(plainEngine);
    const down = await run(p, ['down']);
    expect(down.exitCode, said(down)).toBe(0);
    // The machines the lost run left on c belong to no plan any more: bottle no longer goes there for them.
    expect(await leftovers(engines.c, p.stateRoot)).not.toEqual([]);
    await removeLabelled(engines.c, p.stateRoot);
    // And the bundles' shared way out there, which no bottle of this state root uses any more.
    for (const n of await engines.c.docker.listNetworks({ filters: { label: ['bot-bottle.shared=egress'] } })) await engines.c.docker.getNetwork(n.Id).remove();
    await expectNothingLeft(p.stateRoot);
  }, 300_000);
});
