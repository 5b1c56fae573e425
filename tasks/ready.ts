/**
 * ready: a final probe — both machines run and the agent reaches the proxy —
 * and the summary `bottle status` shows.
 */
import { TaskError } from '../lib/engine/index.js';
import { ca } from './ca.js';
import { git } from './git.js';
import { prompt } from './prompt.js';
import { skills } from './skills.js';
import { supervise } from './supervise.js';
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
  needs: [prompt, skills, ca, git, supervise],
  retry: { attempts: 3, baseMs: 500 },
  timeoutMs: 60_000,
  run: async (ctx, io): Promise<ReadyOutput> => {
    const { plan } = ctx;
    const backend = backendOf(ctx);
    const states = await backend.status([plan.machine, plan.bundle], op(io));
    for (const [name, state] of states) {
      if (state !== 'running') throw new TaskError(`${name} is ${state}`, { code: 'NOT_RUNNING', transient: true });
    }
    const health = await backend.exec(plan.machine, ['curl', '-fsS', '--max-time', '5', '--noproxy', '*', `${plan.proxyUrl}/health`], { ...op(io), user: plan.user });
    if (health.exitCode !== 0) throw new TaskError(`the agent cannot reach its proxy ${plan.proxyUrl}: ${health.stderr.trim()}`, { code: 'NO_PROXY_ROUTE', transient: true });
    return {
      machine: plan.machine,
      bundle: plan.bundle,
      proxy: plan.proxyUrl,
      prompt: io.needs.prompt.path,
      skills: io.needs.skills.skills,
      origin: io.needs.git.origin,
      supervise: io.needs.supervise.url,
      ca: io.needs.ca.path,
    };
  },
  isDone: async (ctx, out, signal) => {
    const states = await backendOf(ctx).status([out.machine, out.bundle], { signal });
    return [...states.values()].every((s) => s === 'running');
  },
});
