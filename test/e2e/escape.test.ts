/**
 * The bottle as its agent would attack it, on a real dockerd: connections
 * around the proxy (the host on every address it has, another bottle, the
 * bundle's other ports), DNS lookups that could carry data out, symlinks
 * planted for the next `bottle up`, and what `docker inspect` says of the
 * hardening. Everything the test listens with (a TCP service and a logging DNS
 * server) runs on this machine; nothing is sent anywhere else.
 */
import { createSocket } from 'node:dgram';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bottle, REPO, type CliRun } from '../helpers/cli.js';
import { hostIn } from '../../lib/net/subnets.js';
import { dockerOut, guest } from '../helpers/docker.js';
import { ASK, hostAddresses, PROBE, startDnsLogger, type DnsLogger } from '../helpers/escape-probes.js';

let work: string;
let env: Record<string, string>;
let up: CliRun;
let plans: { agent: string; slug: string; machine: string; bundle: string; network: { name: string; egress: { name: string }; subnet: string }; bundleIp: string }[];
let service: Server;
let servicePort: number;
const serviceSeen: string[] = [];
const dnsSeen: string[] = [];
let dns: DnsLogger;

const manifest = `
bottles:
  dev:
    backend: docker
    # A careless manifest: this is the guest's, and must not steer the host's docker client.
    env: { DOCKER_HOST: "tcp://127.0.0.1:9" }
agents:
  alpha: { bottle: dev, skills: [review], prompt: "alpha's prompt" }
  beta: { bottle: dev }
`;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bottle-escape-'));
  await cp(join(REPO, 'examples', 'skills'), join(work, 'skills'), { recursive: true });
  await writeFile(join(work, 'bottle.yaml'), manifest);
  env = { ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: join(work, 'state') };
  service = createServer((c) => {
    serviceSeen.push(String(c.remoteAddress));
    c.end('a host service\n');
  });
  await new Promise<void>((ok) => service.listen(0, '0.0.0.0', ok));
  servicePort = (service.address() as { port: number }).port;
  dns = await startDnsLogger((q) => dnsSeen.push(q));
  up = await bottle(['up', '-f', join(work, 'bottle.yaml'), '--progress', 'json'], env);
  expect(up.exitCode, up.stderr + JSON.stringify(up.events.filter((e) => e.status === 'failed'))).toBe(0);
  plans = [];
  for (const slug of up.events[0]!.bottles.filter((b: string) => b !== '_run').sort()) {
    plans.push(JSON.parse(await readFile(join(work, 'state', slug, 'plan.json'), 'utf8')));
  }
}, 900_000);

afterAll(async () => {
  service?.close();
  dns?.close();
  if (work) {
    await bottle(['down', '-f', join(work, 'bottle.yaml'), '--purge'], env);
    await rm(work, { recursive: true, force: true });
  }
}, 300_000);

async function probe(machine: string, targets: [string, number][]): Promise<string[]> {
  const r = await guest(machine, ['node', '-e', PROBE, JSON.stringify(targets)]);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

/** The gateway Docker gives the agent: .1 of the bottle's subnet, which no host interface holds. */
function gatewayOf(plan: (typeof plans)[number]): string {
  return hostIn(plan.network.subnet, 1);
}

async function ipOf(container: string, network: string): Promise<string> {
  return (await dockerOut(['inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container])).stdout.trim();
}

describe('the agent cannot go around its proxy', () => {
  it('reaches no service of the host: not on the bottle network, docker0 or the host\'s own interfaces', async () => {
    const [alpha] = plans;
    const docker0 = (await dockerOut(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'bridge'])).stdout.trim();
    const addresses = [gatewayOf(alpha!), docker0, ...hostAddresses()];
    // The control: the service answers whoever reaches it (this process does, on the host's own address).
    await new Promise<void>((ok, fail) => connect(servicePort, hostAddresses()[0]!).on('data', () => ok()).on('error', fail));
    expect(serviceSeen).toHaveLength(1);
    serviceSeen.length = 0;
    const results = await probe(alpha!.machine, addresses.map((a) => [a, servicePort]));
    expect(results.filter((r) => r.endsWith(' open'))).toEqual([]);
    expect(serviceSeen).toEqual([]);
    // The probe can tell: its own bundle's proxy port is open.
    expect(await probe(alpha!.machine, [[alpha!.bundleIp, 3128]])).toEqual([`${alpha!.bundleIp}:3128 open`]);
  });

  it('reaches no other bottle, and no port of its bundle but the service ports', async () => {
    const [alpha, beta] = plans;
    const betaAgent = await ipOf(beta!.machine, beta!.network.name);
    const betaBundleOut = await ipOf(beta!.bundle, beta!.network.egress.name);
    const alphaBundleOut = await ipOf(alpha!.bundle, alpha!.network.egress.name);
    const results = await probe(alpha!.machine, [
      [beta!.bundleIp, 3128],
      [betaAgent, 22],
      [betaBundleOut, 3128],
      [alphaBundleOut, 3128],
      ...[22, 53, 80, 443, 3129, 8080].map((port): [string, number] => [alpha!.bundleIp, port]),
    ]);
    expect(results.filter((r) => r.endsWith(' open'))).toEqual([]);
  });

  it('cannot use IPv6 at all (no link-local way to the host\'s bridge)', async () => {
    const r = await guest(plans[0]!.machine, ['cat', '/proc/sys/net/ipv6/conf/all/disable_ipv6']);
    expect(r.stdout).toBe('1');
  });
});

describe('no DNS way out', () => {
  it('sends no lookup of an outside name to a resolver outside the bottle', async () => {
    const [alpha] = plans;
    // The control: the logging resolver hears a query sent to it from here.
    const control = `control-${Date.now()}.example`;
    const here = createSocket('udp4');
    await new Promise<void>((ok) => here.send(Buffer.from(`\u0000${control}`), 53, '127.0.0.1', () => ok()));
    here.close();
    await new Promise((ok) => setTimeout(ok, 200));
    expect(dnsSeen.some((q) => q.includes(control))).toBe(true);

    const label = `leak${Date.now()}`;
    const name = `${label}.example`;
    const docker0 = (await dockerOut(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'bridge'])).stdout.trim();
    // Through the guest's resolver (Docker's embedded DNS), then straight at every address of this machine.
    await guest(alpha!.machine, ['getent', 'hosts', name]);
    const asked = await guest(alpha!.machine, ['node', '-e', ASK, name, '127.0.0.11', gatewayOf(alpha!), docker0, ...hostAddresses()]);
    expect(asked.exitCode, asked.stderr).toBe(0);
    await new Promise((ok) => setTimeout(ok, 500));
    expect(dnsSeen.filter((q) => q.includes(label))).toEqual([]);
    // Docker's resolver forwards what it cannot answer to the bundle, inside the bottle; the bundle's own name resolves.
    const inspect = JSON.parse((await dockerOut(['inspect', alpha!.machine])).stdout)[0];
    expect(inspect.HostConfig.Dns).toEqual([alpha!.bundleIp]);
    expect((await guest(alpha!.machine, ['getent', 'hosts', alpha!.bundle])).stdout).toContain(alpha!.bundleIp);
  });
});

describe('symlinks the agent plants', () => {
  it('never hand /etc/shadow to the agent when the prompt and a skill are written again', async () => {
    const [alpha] = plans;
    const before = (await guest(alpha!.machine, ['stat', '-c', '%U:%G %a %s', '/etc/shadow'], '0')).stdout;
    expect(before).toMatch(/^root:shadow 640 /);
    const plant = await guest(alpha!.machine, [
      'sh', '-c',
      'ln -sf /etc/shadow ~/.claude-bottle-prompt.txt && rm -rf ~/.claude/skills/review && ln -s /etc ~/.claude/skills/review',
    ]);
    expect(plant.exitCode, plant.stderr).toBe(0);
    for (const task of ['prompt', 'skills']) {
      const run = await bottle(['task', '-f', join(work, 'bottle.yaml'), task, 'alpha', '--force'], env);
      expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    }
    expect((await guest(alpha!.machine, ['stat', '-c', '%U:%G %a %s', '/etc/shadow'], '0')).stdout).toBe(before);
    expect((await guest(alpha!.machine, ['stat', '-c', '%U %a %F', '/home/node/.claude-bottle-prompt.txt'])).stdout).toBe('node 600 regular file');
    expect((await guest(alpha!.machine, ['cat', '/home/node/.claude-bottle-prompt.txt'])).stdout).toBe("alpha's prompt");
    expect((await guest(alpha!.machine, ['stat', '-c', '%F', '/home/node/.claude/skills/review'])).stdout).toBe('directory');
    expect((await guest(alpha!.machine, ['ls', '/etc/SKILL.md'])).exitCode).not.toBe(0);
  });
});

describe('the host\'s processes', () => {
  it('run docker with bottle\'s own environment: the guest\'s DOCKER_HOST stays in the guest', async () => {
    // up got this far (every machine made) only because docker never saw tcp://127.0.0.1:9.
    expect((await guest(plans[0]!.machine, ['sh', '-c', 'echo "$DOCKER_HOST"'])).stdout).toBe('tcp://127.0.0.1:9');
  });
});

describe('hardened machines', () => {
  it('runs the agent with no capabilities, no new privileges, and limits', async () => {
    const a = JSON.parse((await dockerOut(['inspect', plans[0]!.machine])).stdout)[0].HostConfig;
    expect(a.CapDrop).toEqual(['ALL']);
    expect(a.CapAdd).toBeNull();
    expect(a.SecurityOpt).toEqual(['no-new-privileges']);
    expect(a.Privileged).toBe(false);
    expect(a.PidsLimit).toBe(4096);
    expect(a.Memory).toBe(4096 * 1024 * 1024);
    expect(a.CpuQuota).toBe(200_000);
    // Even root in the agent has no capability left.
    expect((await guest(plans[0]!.machine, ['grep', 'CapEff', '/proc/self/status'], '0')).stdout).toMatch(/^CapEff:\s+0+$/);
  });

  it('runs the bundle as no root, on a read-only root, its logs, gate repository and messages the only writable host paths', async () => {
    const b = JSON.parse((await dockerOut(['inspect', plans[0]!.bundle])).stdout)[0];
    expect(b.Config.User).not.toMatch(/^(0|root)?(:|$)/);
    expect(b.HostConfig.ReadonlyRootfs).toBe(true);
    expect(b.HostConfig.CapDrop).toEqual(['ALL']);
    expect(b.HostConfig.SecurityOpt).toEqual(['no-new-privileges']);
    expect(b.HostConfig.Memory).toBe(512 * 1024 * 1024);
    const writable = b.Mounts.filter((m: { RW: boolean }) => m.RW).map((m: { Source: string }) => m.Source);
    const state = join(work, 'state', plans[0]!.slug);
    expect(writable.sort()).toEqual([join(state, 'egress'), join(state, 'gate'), join(state, 'supervise')]);
    expect((await dockerOut(['exec', plans[0]!.bundle, 'id', '-u'])).stdout).not.toBe('0');
  });
});
