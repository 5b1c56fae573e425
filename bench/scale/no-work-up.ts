/**
 * The up graph (graphs/up.ts) on a backend that does nothing: each task of
 * UP_TASKS keeps its id, needs, scope, resources, retry and timeout, and
 * whether it has an isDone probe; its fingerprint is a few of the bottle's
 * fields, its run logs the lines the real task logs and returns an output of
 * the real task's shape. It touches no docker, image or guest.
 */
import { defineGraph, type Graph, type TaskDef } from '../../lib/engine/index.js';
import { UP_TASKS } from '../../graphs/up.js';
import type { OutputOf } from '../../tasks/context.js';

/** What a bench bottle's tasks see (the real ones get a BottleCtx). */
export interface BenchCtx {
  stateRoot: string;
  /** The bottle's slug; absent for the run-scoped tasks. */
  slug?: string;
}

type UpTask = (typeof UP_TASKS)[number];

/** For each task of the up graph, by id, an output of the type it returns: a task added to the graph fails the type check here. */
type Outputs = { [T in UpTask as T['id']]: (slug: string) => OutputOf<T> };

const image = (name: string) => () => ({ image: `bot-bottle/${name}:0123456789ab` });

/** Outputs of the shape each real task returns (tasks/*.ts), with made-up values. */
const OUTPUTS: Outputs = {
  'base-image': image('base'),
  'agent-image': image('agent'),
  'bundle-image': image('bundle'),
  prepare: (s) => ({ skills: [], caCert: `/state/${s}/ca/ca.crt`, caKey: `/state/${s}/ca/ca.key`, caDigest: '0123456789abcdef0123456789abcdef' }),
  network: (s) => ({ network: `claude-bottle-${s}`, id: '0123456789abcdef'.repeat(4) }),
  'gate-repo': (s) => ({ gateRepo: `/state/${s}/gate/${s}.git`, branch: 'main', commit: null }),
  daemons: (s) => ({ bundle: `claude-bottle-${s}-bundle`, id: 'fedcba9876543210'.repeat(4), proxyUrl: 'http://10.0.0.2:3128', auditLog: `/state/${s}/egress/egress.jsonl` }),
  'start-vm': (s) => ({ machine: `claude-bottle-${s}`, id: '0123456789abcdef'.repeat(4), image: 'bot-bottle/agent:0123456789ab', created: true }),
  prompt: () => ({ path: '/home/agent/.claude-bottle-prompt.txt' }),
  skills: () => ({ dir: '/home/agent/.claude/skills', skills: [] }),
  ca: () => ({ path: '/usr/local/share/ca-certificates/bottle.crt', digest: '0123456789abcdef0123456789abcdef', proven: ['curl', 'node'] }),
  git: (s) => ({ name: 'Agent', email: 'agent@example.com', workspace: '/home/agent/workspace', origin: `http://claude-bottle-${s}-bundle:9418/${s}.git` }),
  supervise: (s) => ({ name: 'supervise', url: `http://claude-bottle-${s}-bundle:8765/mcp`, connected: true }),
  ready: (s) => ({
    machine: `claude-bottle-${s}`,
    bundle: `claude-bottle-${s}-bundle`,
    proxy: 'http://10.0.0.2:3128',
    prompt: '/home/agent/.claude-bottle-prompt.txt',
    skills: [],
    origin: `http://claude-bottle-${s}-bundle:9418/${s}.git`,
    supervise: `http://claude-bottle-${s}-bundle:8765/mcp`,
    ca: '/usr/local/share/ca-certificates/bottle.crt',
  }),
};

/** Lines the real tasks log when all goes well (their backends may log more). */
const LOGS: Record<string, (slug: string) => string[]> = {
  daemons: () => ['bundle ready: {"status":"ok"}'],
  'start-vm': (s) => [`created claude-bottle-${s} (0123456789ab)`],
  ca: () => ['curl trusts the bottle CA', 'node trusts the bottle CA'],
  git: (s) => [`git identity Agent <agent@example.com>, origin http://claude-bottle-${s}-bundle:9418/${s}.git`],
};

export function noWorkUpGraph(): Graph<BenchCtx> {
  const tasks = UP_TASKS.map((real): TaskDef<BenchCtx> => {
    const output = (OUTPUTS as Record<string, ((slug: string) => unknown) | undefined>)[real.id];
    if (!output) throw new Error(`bench/scale has no output for task "${real.id}" of the up graph; add one to OUTPUTS`);
    const logs = LOGS[real.id] ?? (() => []);
    return {
      id: real.id,
      title: real.title,
      ...(real.needs ? { needs: real.needs } : {}),
      ...(real.scope ? { scope: real.scope } : {}),
      ...(real.resources ? { resources: real.resources } : {}),
      ...(real.retry ? { retry: real.retry } : {}),
      ...(real.timeoutMs !== undefined ? { timeoutMs: real.timeoutMs } : {}),
      fingerprint: (ctx) => ({ task: real.id, slug: ctx.slug ?? null, root: ctx.stateRoot }),
      // The real probes ask the backend, which here says yes.
      ...(real.isDone ? { isDone: async () => true } : {}),
      run: async (ctx, io) => {
        const slug = ctx.slug ?? '_run';
        for (const line of logs(slug)) io.log(line);
        return output(slug);
      },
    };
  });
  return defineGraph(tasks);
}
