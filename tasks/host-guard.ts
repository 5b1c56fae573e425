/**
 * A graph whose bottle tasks stop when the bottle's host is lost mid-run
 * (lib/hosts/host-watch.ts): a task running on it fails at once with the
 * watch's reason, naming the host, its signal aborted so the calls it has in
 * flight give up; one not started yet fails when it would start. The error
 * is not transient: the engine does not retry it, the bottle's later tasks
 * are blocked, and the other hosts' bottles go on. Run-scoped tasks (the
 * images, made on this machine) are left as they are.
 */
import { defineGraph, TaskError, type Graph, type TaskDef } from '../lib/engine/index.js';
import type { HostWatch } from '../lib/hosts/host-watch.js';
import type { BottleCtx, RunEnv } from './context.js';

export function guardedByHosts(graph: Graph<RunEnv>, watch: HostWatch): Graph<RunEnv> {
  return defineGraph<RunEnv>(graph.tasks.map((task) => (task.scope === 'run' ? task : guarded(task, watch))));
}

function guarded(task: TaskDef<RunEnv>, watch: HostWatch): TaskDef<RunEnv> {
  const lostOf = (ctx: RunEnv) => {
    const host = (ctx as BottleCtx).plan.host;
    return host ? watch.signal(host.name) : undefined;
  };
  const isDone = task.isDone;
  return {
    ...task,
    run: (ctx, io) => onHost(lostOf(ctx), io.signal, (signal) => task.run(ctx, { ...io, signal })),
    ...(isDone && { isDone: (ctx: RunEnv, output: unknown, signal: AbortSignal) => onHost(lostOf(ctx), signal, (s) => isDone(ctx, output, s)) }),
  };
}

async function onHost<T>(lost: AbortSignal | undefined, signal: AbortSignal, work: (signal: AbortSignal) => T | Promise<T>): Promise<T> {
  if (!lost) return work(signal);
  const failure = () => new TaskError((lost.reason as Error).message, { code: 'HOST_LOST' });
  if (lost.aborted) throw failure();
  let onLost = () => {};
  const whenLost = new Promise<never>((_, reject) => {
    onLost = () => reject(failure());
    lost.addEventListener('abort', onLost, { once: true });
  });
  whenLost.catch(() => undefined);
  try {
    return await Promise.race([Promise.resolve().then(() => work(AbortSignal.any([signal, lost]))), whenLost]);
  } finally {
    lost.removeEventListener('abort', onLost);
  }
}
