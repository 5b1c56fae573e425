/**
 * ready: a final probe — both machines run and the agent reaches the proxy —
 * and the summary `bottle status` shows.
 */
import { TaskError } from '../lib/engine/index.js';
import type { CaOutput } from './ca.js';
import type { GitOutput } from './git.js';
import type { PromptOutput } from './prompt.js';
import type { SkillsOutput } from './skills.js';
import type { SuperviseOutput } from './supervise.js';
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

export const ready = bottleTask<ReadyOutput>({
  id: 'ready',
  title: 'Ready',
  needs: ['prompt', 'skills', 'ca', 'git', 'supervise'],
  retry: { attempts: 3, baseMs: 500 },
  timeoutMs: 60_000,
  isDone: async (ctx, out, signal) => {
    const states = await backendOf(ctx).status([out.machine, out.bundle], { signal });
    return [...states.values()].every((s) => s === 'running');
  },
  run: async (ctx, io) => {
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
      prompt: (io.needs.prompt as PromptOutput).path,
      skills: (io.needs.skills as SkillsOutput).skills,
      origin: (io.needs.git as GitOutput).origin,
      supervise: (io.needs.supervise as SuperviseOutput).url,
      ca: (io.needs.ca as CaOutput).path,
    };
  },
});
