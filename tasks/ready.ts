/**
 * ready: a final probe — both machines run and the agent reaches the proxy —
 * and the summary `bottle status` shows.
 */
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { TaskError } from '../lib/engine/index.js';
import { CA_PROBE_HOST, TLS_PROBE_PORT } from '../lib/plan/types.js';
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
  summary: 'one TLS request through the proxy; what bottle status shows',
  needs: [prompt, skills, ca, git, supervise],
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
    // One request proves the way out and the trust: through the proxy (the guest's HTTPS_PROXY), TLS with the system bundle.
    const probe = await backend.exec(plan.machine, ['curl', '-fsS', '--max-time', '10', `https://${CA_PROBE_HOST}:${TLS_PROBE_PORT}/health`], { ...op(io), user: plan.user });
    if (probe.exitCode !== 0) {
      throw new TaskError(`the agent cannot make a TLS request through its proxy ${plan.proxyUrl}: ${probe.stderr.trim()}`, { code: 'NO_WAY_OUT', transient: true });
    }
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
