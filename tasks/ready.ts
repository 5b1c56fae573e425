/**
 * ready: a final probe and the summary `bottle status` shows. Both machines
 * run, and one process in the agent's machine (curl, two transfers) proves
 * the way out and the trust (a TLS request through the proxy, checked with
 * the system bundle) and supervise at its registered URL (an MCP
 * `initialize`, straight to the bundle as NO_PROXY says). It does not wait
 * for the `supervise` task: a new machine has Claude Code's config already,
 * and that task's proof by the real Claude Code, once per image, runs beside
 * it (the run still waits for it, and a failure there fails the bottle).
 */
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { TaskError } from '../lib/engine/index.js';
import { CA_PROBE_HOST, TLS_PROBE_PORT } from '../lib/plan/types.js';
import { MCP_INITIALIZE, superviseUrl } from '../lib/provision/claude.js';
import { ca } from './ca.js';
import { git } from './git.js';
import { prompt } from './prompt.js';
import { skills } from './skills.js';
import { backendOf, bottleTask, op } from './context.js';

export interface ReadyOutput {
  machine: string;
  bundle: string;
  proxy: string;
  prompt: string | null;
  skills: string[];
  origin: string;
  supervise: string;
  ca: string;
}

export const ready = bottleTask({
  id: 'ready',
  title: 'Ready',
  summary: 'one TLS request through the proxy and an MCP initialize at supervise; what bottle status shows',
  needs: [prompt, skills, ca, git],
  resources: [BACKEND_CALLS],
  retry: { attempts: 3, baseMs: 500 },
  timeoutMs: 60_000,
  run: async (ctx, io): Promise<ReadyOutput> => {
    const { plan } = ctx;
    const backend = backendOf(ctx);
    const states = await backend.status([plan.machine, plan.bundle], op(io));
    for (const [name, state] of states) {
      if (state !== 'running') throw new TaskError(`${name} is ${state}`, { code: 'NOT_RUNNING', transient: true });
    }
    const supervise = superviseUrl(plan);
    const probe = await backend.exec(
      plan.machine,
      // --next: the second transfer has options of its own; --fail-early: a failed first ends it.
      ['curl', '--fail-early', '-fsS', '--max-time', '10', `https://${CA_PROBE_HOST}:${TLS_PROBE_PORT}/health`, '--next', '-fsS', '--max-time', '10', '-H', 'content-type: application/json', '-H', 'accept: application/json, text/event-stream', '--data-binary', MCP_INITIALIZE, supervise],
      { ...op(io), user: plan.user },
    );
    if (probe.exitCode !== 0 && !probe.stdout.includes('"status":"ok"')) {
      throw new TaskError(`the agent cannot make a TLS request through its proxy ${plan.proxyUrl}: ${probe.stderr.trim()}`, { code: 'NO_WAY_OUT', transient: true });
    }
    if (probe.exitCode !== 0 || !probe.stdout.includes('"serverInfo"')) {
      throw new TaskError(`supervise does not answer the agent at ${supervise}: ${probe.stderr.trim() || probe.stdout.trim().slice(-200)}`, { code: 'MCP_NOT_CONNECTED', transient: true });
    }
    return {
      machine: plan.machine,
      bundle: plan.bundle,
      proxy: plan.proxyUrl,
      prompt: io.needs.prompt.path,
      skills: io.needs.skills.skills,
      origin: io.needs.git.origin,
      supervise,
      ca: io.needs.ca.path,
    };
  },
  isDone: async (ctx, out, signal) => {
    const states = await backendOf(ctx).status([out.machine, out.bundle], { signal });
    return [...states.values()].every((s) => s === 'running');
  },
});
