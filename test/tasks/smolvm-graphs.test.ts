/**
 * The up and down graphs, unchanged, on backend: smolvm: every bottle task of
 * the up graph in the graph's order (`bottle task` each; the image tasks are
 * Docker's and recorded), then the down graph, on the fake smolvm binary
 * whose guests answer like the agent and bundle images would.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryRecorder, runGraph } from '../../lib/engine/index.js';
import { unwrapUser } from '../../lib/backends/smolvm/guest.js';
import { downGraph } from '../../graphs/down.js';
import { UP_TASKS } from '../../graphs/up.js';
import type { BottleCtx } from '../../tasks/context.js';
import { defaultGuest, fakeSmolvm, type FakeSmolvm, type GuestCall } from '../backends/smolvm/fake-smolvm.js';
import { smolvmBottle, taskRunner } from './smolvm-bottle.js';

let work: string;
let fake: FakeSmolvm;

/** Just enough of a guest: health answers, git's config and remote, claude's MCP list. */
function scriptedGuest() {
  const git = new Map<string, string>();
  return (call: GuestCall) => {
    const argv = unwrapUser(call.argv).argv;
    const key = (k: string) => `${call.machine} ${k}`;
    // ready's two transfers: the TLS probe's health, then the MCP initialize answered as the SDK's server does (SSE).
    if (argv[0] === 'curl' && argv.includes('--data-binary')) return { stdout: '{"status":"ok","daemon":"egress"}event: message\ndata: {"result":{"protocolVersion":"2025-06-18","serverInfo":{"name":"supervise","version":"1"}},"jsonrpc":"2.0","id":1}\n\n' };
    if (argv[0] === 'curl') return { stdout: '{"ok":true}\n' };
    if (argv[0] === 'node') return { stdout: 'node trusts the bottle CA\n' };
    if (argv[0] === 'git' && argv[1] === 'config' && argv.length === 5) return void git.set(key(argv[3]!), argv[4]!);
    if (argv[0] === 'git' && argv[1] === 'config') return { stdout: `${git.get(key(argv[3]!))}\n` };
    if (argv[0] === 'git' && argv[3] === 'remote' && argv[4] === 'get-url') {
      return git.has(key('origin')) ? { stdout: `${git.get(key('origin'))}\n` } : { exitCode: 2, stderr: "error: No such remote 'origin'\n" };
    }
    if (argv[0] === 'git' && argv[3] === 'remote') return void git.set(key('origin'), argv[6]!);
    // What Claude Code 2.1 prints [claude mcp get supervise] for the server the supervise task registered.
    if (argv[0] === 'claude' && argv[2] === 'get') {
      return { stdout: 'supervise:\n  Scope: User config (available in all your projects)\n  Status: ✔ Connected\n  Type: http\n  URL: http://10.0.0.2:8765/mcp\n' };
    }
    return defaultGuest(call);
  };
}

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'smolvm-graphs-'));
  fake = fakeSmolvm();
  fake.guest = scriptedGuest();
});

async function up(ctx: BottleCtx) {
  const tasks = taskRunner(ctx);
  await tasks.images('bot-bottle/agent:not-local', 'bot-bottle/bundle:not-local');
  const statuses: Record<string, string> = {};
  for (const task of UP_TASKS.filter((t) => t.scope !== 'run')) {
    const node = await tasks.run(task.id);
    statuses[task.id] = node.record.error ? `${node.status}: ${node.record.error.message}` : node.status;
  }
  return { statuses, recorder: tasks.recorder };
}

const creates = () => fake.calls.filter((c) => c[1] === 'create');
const flagsOf = (args: string[], flag: string) => args.flatMap((a, i) => (args[i - 1] === flag ? [a] : []));

describe('the up graph on smolvm', () => {
  it('runs every bottle task; the bundle first with a way out, then the agent allowed only the bundle', async () => {
    const ctx = await smolvmBottle(work, fake, { prompt: 'hi' });
    const { statuses, recorder } = await up(ctx);
    expect(Object.values(statuses).every((s) => s === 'done')).toBe(true);
    const { plan } = ctx;
    const [bundle, agent] = creates();
    expect(flagsOf(bundle!, '--name')).toEqual([plan.bundle]);
    expect(flagsOf(agent!, '--name')).toEqual([plan.machine]);
    for (const args of [bundle!, agent!]) {
      expect(flagsOf(args, '--network')).toEqual([plan.network.name]);
      expect(flagsOf(args, '--net-backend')).toEqual(['virtio-net']);
    }
    expect(bundle).toContain('--net');
    expect(flagsOf(bundle!, '--allow-cidr')).toEqual([]);
    expect(flagsOf(bundle!, '-v')).toEqual([
      `${plan.stateDir}/bundle:/etc/bot-bottle:ro`,
      `${plan.stateDir}/egress:/var/log/bot-bottle`,
      `${plan.stateDir}/gate:/var/lib/bot-bottle/git`,
      `${plan.stateDir}/supervise:/var/lib/bot-bottle/supervise`,
    ]);
    expect(agent).not.toContain('--net');
    expect(flagsOf(agent!, '--allow-cidr')).toEqual(['100.96.1.2/32']);
    expect(flagsOf(agent!, '--label')).toContain('bot-bottle.role=agent');
    // Images Docker does not have go to smolvm as registry references.
    expect(flagsOf(agent!, '--image')).toEqual(['bot-bottle/agent:not-local']);
    // The bundle is started before the agent exists (start-vm needs daemons): it takes the network's first address.
    const order = fake.calls.filter((c) => c[1] === 'create' || c[1] === 'start').map((c) => `${c[1]} ${c[3]}`);
    expect(order).toEqual([`create ${plan.bundle}`, `start ${plan.bundle}`, `create ${plan.machine}`, `start ${plan.machine}`]);
    expect(UP_TASKS.find((t) => t.id === 'start-vm')!.needs).toContain('daemons');
    // The agent's env, from the Smolfile, points at the bundle there.
    expect(fake.machines.get(plan.machine)!.env).toMatchObject({ HTTPS_PROXY: 'http://100.96.1.2:3128', HOME: '/home/node' });
    // smolvm's --dns would set its gateway's upstream, asked from the host (fabric.ts): it is not passed.
    expect(flagsOf(agent!, '--dns')).toEqual([]);
    const outputs = recorder.records.get(plan.slug)!.tasks;
    expect(outputs.git!.output).toMatchObject({ origin: 'http://100.96.1.2:8418/demo.git' });
    expect(outputs.supervise!.output).toMatchObject({ url: 'http://100.96.1.2:8765/mcp' });
    expect(outputs.ready!.output).toMatchObject({ proxy: 'http://100.96.1.2:3128', prompt: '/home/node/.claude-bottle-prompt.txt' });
  });

  it('reuses both machines on a second up: no create, no delete', async () => {
    const ctx = await smolvmBottle(work, fake, {});
    await up(ctx);
    const before = fake.calls.length;
    const again = await up(ctx);
    expect(Object.values(again.statuses).every((s) => s === 'done')).toBe(true);
    expect(fake.calls.slice(before).filter((c) => c[1] === 'create' || c[1] === 'delete')).toEqual([]);
  });

  it('recreates a machine whose configuration changed (its config label differs)', async () => {
    const ctx = await smolvmBottle(work, fake, {});
    await up(ctx);
    fake.machines.get(ctx.plan.machine)!.labels['bot-bottle.config'] = 'an older configuration';
    await up(ctx);
    expect(fake.calls.filter((c) => c[1] === 'delete')).toEqual([['machine', 'delete', '--name', ctx.plan.machine, '-f']]);
    expect(creates().map((c) => c[3])).toEqual([ctx.plan.bundle, ctx.plan.machine, ctx.plan.machine]);
  });
});

describe('the down graph on smolvm', () => {
  it('removes the agent machine, then the bundle, and is done when they are already gone', async () => {
    const ctx = await smolvmBottle(work, fake, {});
    await up(ctx);
    // Twice, each run from no record (down forgets it): the second finds nothing to remove.
    for (let i = 0; i < 2; i++) {
      const result = await runGraph(downGraph({ purge: false }), { items: [{ key: ctx.plan.slug, ctx }], recorder: memoryRecorder() });
      expect(result.status).toBe('ok');
    }
    expect(fake.calls.filter((c) => c[1] === 'delete')).toEqual([
      ['machine', 'delete', '--name', ctx.plan.machine, '-f'],
      ['machine', 'delete', '--name', ctx.plan.bundle, '-f'],
      ['machine', 'delete', '--name', ctx.plan.machine, '-f'],
      ['machine', 'delete', '--name', ctx.plan.bundle, '-f'],
    ]);
    expect(fake.machines.size).toBe(0);
  });
});
