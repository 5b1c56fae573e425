/**
 * `bottle up` end to end on a real dockerd: two agents, real images, and every
 * claim checked inside the guests. The only hosts contacted are containers
 * this test starts (its TLS test hosts) and the bottles' own bundles.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueServerCert } from '../../lib/ca/openssl.js';
import { NODE_TLS_PROBE } from '../helpers/node-tls-probe.js';
import { bottle, endStatuses, REPO, type CliRun } from '../helpers/cli.js';
import { dockerOut, guest, labelled } from '../helpers/docker.js';

const TEST_HOST = 'tls.bottle-test';
const DENIED_HOST = 'denied.bottle-test';
const SERVER = `require('https').createServer({ cert: require('fs').readFileSync('/certs/server.crt'), key: require('fs').readFileSync('/certs/server.key') }, (q, s) => s.end('hello from the test host\\n')).listen(443)`;

let work: string;
let env: Record<string, string>;
let first: CliRun;
let plans: { agent: string; slug: string; machine: string; bundle: string; stateDir: string; proxyUrl: string }[];
const testNetworks: string[] = [];
const testHosts: string[] = [];

const manifest = () => `
bottles:
  dev:
    backend: docker
    egress:
      # The test hosts sit on the bundle's Docker network, at a private address: named here, or the proxy refuses it.
      allow: ["${TEST_HOST}:443", "172.16.0.0/12:443", "192.168.0.0/16:443"]
agents:
  alpha:
    bottle: dev
    skills: [review, tdd]
    promptFile: prompts/alpha.md
  beta:
    bottle: dev
    prompt: ""
`;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bottle-e2e-'));
  await cp(join(REPO, 'examples', 'skills'), join(work, 'skills'), { recursive: true });
  await cp(join(REPO, 'examples', 'prompts'), join(work, 'prompts'), { recursive: true });
  await writeFile(join(work, 'prompts', 'alpha.md'), 'You are alpha. Test first.\n');
  await writeFile(join(work, 'bottle.yaml'), manifest());
  env = { ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: join(work, 'state') };
  first = await bottle(['up', '-f', join(work, 'bottle.yaml'), '--progress', 'json'], env);
  plans = [];
  for (const agent of ['alpha', 'beta']) {
    const slug = first.events[0]!.bottles.find((b: string) => b.startsWith(`${agent}-`));
    plans.push(JSON.parse(await readFile(join(work, 'state', slug, 'plan.json'), 'utf8')));
  }
  // One TLS test host per bottle, with a certificate the bottle's CA signed, on a network of the test's own that
  // the bundle joins (the bundles' shared way out lets no container reach another).
  const bundleImage = JSON.parse(await readFile(join(work, 'state', '_run', 'record.json'), 'utf8')).tasks['bundle-image'].output.image;
  for (const p of plans) {
    const certs = join(work, `certs-${p.agent}`);
    await issueServerCert({ cert: join(p.stateDir, 'ca', 'ca.crt'), key: join(p.stateDir, 'ca', 'ca.key') }, certs, [TEST_HOST, DENIED_HOST]);
    const name = `bottle-test-host-${p.slug}`;
    testHosts.push(name);
    testNetworks.push(name);
    await dockerOut(['rm', '-f', name]);
    await dockerOut(['network', 'rm', name]);
    expect((await dockerOut(['network', 'create', '--label', 'bot-bottle.test=1', name])).exitCode).toBe(0);
    expect((await dockerOut(['network', 'connect', name, p.bundle])).exitCode).toBe(0);
    const run = await dockerOut([
      'run', '-d', '--name', name, '--label', 'bot-bottle.test=1', '--network', name,
      '--network-alias', TEST_HOST, '--network-alias', DENIED_HOST,
      '--mount', `type=bind,source=${certs},target=/certs,readonly`, bundleImage, 'node', '-e', SERVER,
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
  }
}, 900_000);

afterAll(async () => {
  for (const name of testHosts) await dockerOut(['rm', '-f', name]);
  for (const p of plans ?? []) for (const name of testNetworks) await dockerOut(['network', 'disconnect', '--force', name, p.bundle]);
  for (const name of testNetworks) await dockerOut(['network', 'rm', name]);
  if (work) {
    await bottle(['down', '-f', join(work, 'bottle.yaml'), '--purge'], env);
    await rm(work, { recursive: true, force: true });
  }
}, 300_000);

describe('bottle up on Docker', () => {
  it('brings both bottles up, every task done, and says so in NDJSON', () => {
    const failures = first.events.filter((e) => e.type === 'node-end' && e.status === 'failed');
    expect(first.exitCode, `${first.stderr}\n${JSON.stringify(failures, null, 2)}`).toBe(0);
    const end = first.events.at(-1)!;
    expect(end).toMatchObject({ v: 1, type: 'run-end', status: 'ok', counts: { failed: 0, blocked: 0, cancelled: 0 } });
    const statuses = endStatuses(first.events);
    for (const p of plans) {
      for (const task of ['prepare', 'network', 'daemons', 'start-vm', 'prompt', 'skills', 'ca', 'git', 'supervise', 'ready']) {
        expect(statuses.get(`${p.slug}/${task}`), `${p.slug}/${task}`).toMatch(/^(done|up-to-date)$/);
      }
    }
  });

  it('puts the prompt in the guest, 0600 and owned by the agent user, even when empty', async () => {
    const [alpha, beta] = plans;
    const stat = await guest(alpha!.machine, ['stat', '-c', '%a %U', '/home/node/.claude-bottle-prompt.txt']);
    expect(stat.stdout.trim()).toBe('600 node');
    expect((await guest(alpha!.machine, ['cat', '/home/node/.claude-bottle-prompt.txt'])).stdout).toBe('You are alpha. Test first.');
    expect((await guest(beta!.machine, ['stat', '-c', '%s', '/home/node/.claude-bottle-prompt.txt'])).stdout.trim()).toBe('0');
    const record = JSON.parse(await readFile(join(beta!.stateDir, 'record.json'), 'utf8'));
    expect(record.tasks.prompt.output).toEqual({ path: null });
  });

  it('copies each skill tree into ~/.claude/skills', async () => {
    const files = await guest(plans[0]!.machine, ['sh', '-c', 'cd ~/.claude/skills && find . -type f | sort && cat tdd/templates/test.ts.txt']);
    expect(files.stdout.split('\n')).toEqual([
      './review/SKILL.md',
      './tdd/SKILL.md',
      './tdd/templates/test.ts.txt',
      'describe("x", () => {});',
    ]);
    expect((await guest(plans[1]!.machine, ['ls', '/home/node/.claude/skills'])).exitCode).not.toBe(0);
  });

  it('has curl and node trust the bottle CA against a TLS host of ours, through the proxy', async () => {
    for (const p of plans) {
      const curl = await guest(p.machine, ['curl', '-fsS', '--max-time', '15', `https://${TEST_HOST}/`]);
      expect(curl.stdout, curl.stderr).toBe('hello from the test host');
      const node = await guest(p.machine, ['node', '-e', NODE_TLS_PROBE, p.proxyUrl, `https://${TEST_HOST}:443/`]);
      expect(node.stdout.trim(), node.stderr).toBe('node trusts the bottle CA');
    }
  });

  it('refuses a host that is not on the allowlist, and logs the decision', async () => {
    const p = plans[0]!;
    const denied = await guest(p.machine, ['curl', '-sS', '--max-time', '15', `https://${DENIED_HOST}/`]);
    expect(denied.exitCode).not.toBe(0);
    expect(denied.stderr).toMatch(/403/);
    const audit = (await readFile(join(p.stateDir, 'egress', 'egress.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(audit).toContainEqual(expect.objectContaining({ method: 'CONNECT', host: DENIED_HOST, port: 443, decision: 'deny', status: 403 }));
    // Nothing but our own hosts was ever let through.
    const allowed = new Set(audit.filter((a) => a.decision === 'allow').map((a) => a.host));
    expect([...allowed].every((h) => h === TEST_HOST || h === 'ca-probe.bottle.internal')).toBe(true);
  });

  it('has no route out without the proxy', async () => {
    const p = plans[0]!;
    const ip = (await dockerOut(['inspect', '-f', `{{(index .NetworkSettings.Networks "${testNetworks[0]}").IPAddress}}`, testHosts[0]!])).stdout.trim();
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const direct = await guest(p.machine, ['curl', '-sS', '--noproxy', '*', '--max-time', '5', '-k', `https://${ip}/`]);
    expect(direct.exitCode).not.toBe(0);
    expect(direct.stdout).toBe('');
  });

  it('proves supervise from every machine, and asks the real Claude Code once for the image they share', async () => {
    const logs = await Promise.all(plans.map((p) => readFile(join(p.stateDir, 'logs', 'supervise.log'), 'utf8')));
    expect(logs.filter((log) => /claude mcp get supervise in claude-bottle-.*: Status: . Connected/.test(log))).toHaveLength(1);
    for (const p of plans) {
      const record = JSON.parse(await readFile(join(p.stateDir, 'record.json'), 'utf8'));
      expect(record.tasks.supervise.output).toMatchObject({ connected: true });
    }
  });

  it('sets the git identity and an origin at the git gate', async () => {
    const p = plans[0]!;
    expect((await guest(p.machine, ['git', 'config', '--global', 'user.email'])).stdout).toBe('alpha@bot-bottle.invalid');
    expect((await guest(p.machine, ['git', '-C', '/home/node/workspace', 'remote', 'get-url', 'origin'])).stdout).toBe(
      `http://claude-bottle-${p.slug}-bundle:8418/alpha.git`,
    );
  });

  it('registers the supervise endpoint with the real claude binary', async () => {
    const p = plans[0]!;
    const got = await guest(p.machine, ['claude', 'mcp', 'get', 'supervise']);
    expect(got.exitCode).toBe(0);
    expect(got.stdout).toContain(`URL: http://claude-bottle-${p.slug}-bundle:8765/mcp`);
  });

  it('status reports both bottles ready, from the records', async () => {
    const st = await bottle(['status', '-f', join(work, 'bottle.yaml'), '--json', '--probe'], env);
    expect(st.exitCode, st.stderr).toBe(0);
    const doc = JSON.parse(st.stdout);
    expect(doc.v).toBe(1);
    expect(doc.bottles.map((b: any) => [b.agent, b.backend, b.state, b.machines])).toEqual([
      ['alpha', 'docker', 'ready', { agent: 'running', bundle: 'running' }],
      ['beta', 'docker', 'ready', { agent: 'running', bundle: 'running' }],
    ]);
    expect(doc.bottles[0].tasks.skills).toMatchObject({ status: 'done', attempts: 1 });
    expect(doc.bottles[0].ready).toMatchObject({ machine: plans[0]!.machine, skills: ['review', 'tdd'], prompt: '/home/node/.claude-bottle-prompt.txt' });
  });

  it('exec runs a command in the agent machine as its user, in its workspace, with its exit code', async () => {
    const ok = await bottle(['exec', '-f', join(work, 'bottle.yaml'), 'alpha', '--', 'sh', '-c', 'echo "$(id -un) $(pwd)"; exit 3'], env);
    expect(ok.stdout.trim()).toBe('node /home/node/workspace');
    expect(ok.exitCode).toBe(3);
  });

  it('claude runs the real claude binary in the bottle', async () => {
    for (const agent of ['alpha', 'beta']) {
      const got = await bottle(['claude', '-f', join(work, 'bottle.yaml'), agent, '--', '--version'], env);
      expect(got.stdout.trim(), got.stderr).toMatch(/^\d+\.\d+\.\d+ \(Claude Code\)$/);
      expect(got.exitCode).toBe(0);
    }
  });

  it('task runs one task with its needs from the records and streams its log', async () => {
    const run = await bottle(['task', '-f', join(work, 'bottle.yaml'), 'skills', 'alpha', '--force', '--progress', 'json'], env);
    expect(run.exitCode, run.stderr).toBe(0);
    expect([...endStatuses(run.events)]).toEqual([[`${plans[0]!.slug}/skills`, 'done']]);
    expect(run.events.filter((e) => e.type === 'node-log').map((e) => e.line)).toContain(
      `put .claude into ${plans[0]!.machine}:/home/node`,
    );
    const fresh = await bottle(['task', '-f', join(work, 'bottle.yaml'), 'skills', 'alpha', '--state-dir', join(work, 'fresh-state')], env);
    expect(fresh.exitCode).toBe(2);
    expect(fresh.stderr).toContain('needs "prepare" (never run), "start-vm" (never run), not done yet; run them first, or add --with-deps to run them now');
  });

  it('runs nothing on a second up, and only prompt and what needs it after the prompt changes', async () => {
    const again = await bottle(['up', '-f', join(work, 'bottle.yaml'), '--progress', 'json'], env);
    expect(again.exitCode).toBe(0);
    expect(again.events.at(-1)!.counts).toMatchObject({ done: 0, failed: 0 });
    expect([...endStatuses(again.events).values()].every((s) => s === 'up-to-date')).toBe(true);

    await writeFile(join(work, 'prompts', 'alpha.md'), 'You are alpha, edited.\n');
    const planned = await bottle(['up', '-f', join(work, 'bottle.yaml'), '--dry-run', '--progress', 'json'], env);
    expect(planned.exitCode).toBe(0);
    const toRun = planned.events.filter((e) => e.type === 'plan' && e.action === 'run').map((e) => `${e.bottle}/${e.task}`).sort();
    expect(toRun).toEqual([`${plans[0]!.slug}/prompt`, `${plans[0]!.slug}/ready`]);
    expect((await guest(plans[0]!.machine, ['cat', '/home/node/.claude-bottle-prompt.txt'])).stdout).toBe('You are alpha. Test first.');
    const edited = await bottle(['up', '-f', join(work, 'bottle.yaml'), '--progress', 'json'], env);
    expect(edited.exitCode).toBe(0);
    const ran = [...endStatuses(edited.events)].filter(([, s]) => s === 'done').map(([k]) => k).sort();
    expect(ran).toEqual([`${plans[0]!.slug}/prompt`, `${plans[0]!.slug}/ready`]);
    expect((await guest(plans[0]!.machine, ['cat', '/home/node/.claude-bottle-prompt.txt'])).stdout).toBe('You are alpha, edited.');
  });

  it('down leaves no container, network or volume of the bottle; --purge removes its state', async () => {
    const down = await bottle(['down', '-f', join(work, 'bottle.yaml')], env);
    expect(down.exitCode, down.stderr + down.stdout).toBe(0);
    for (const p of plans) {
      const label = `bot-bottle.slug=${p.slug}`;
      expect(await labelled('container', label)).toEqual([]);
      expect(await labelled('network', label)).toEqual([]);
      expect(await labelled('volume', label)).toEqual([]);
      expect((await readFile(join(p.stateDir, 'plan.json'), 'utf8')).length).toBeGreaterThan(0);
    }
    const purge = await bottle(['down', '-f', join(work, 'bottle.yaml'), '--purge'], env);
    expect(purge.exitCode, purge.stderr).toBe(0);
    for (const p of plans) await expect(readFile(join(p.stateDir, 'plan.json'))).rejects.toThrow(/ENOENT/);
  });
});
