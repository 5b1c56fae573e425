/**
 * What provisioning tasks are handed. Run-scoped tasks (images) get a RunEnv;
 * bottle-scoped ones a BottleCtx: the RunEnv plus the bottle's plan and the
 * values that must not reach records (prompt text, env values).
 */
import type { TaskDef } from '../lib/engine/index.js';
import type { Backend, BackendKind } from '../lib/backends/types.js';
import type { BottlePlan } from '../lib/plan/types.js';
import type { Images } from '../lib/images/images.js';

export interface RunEnv {
  stateRoot: string;
  /** Built for real, or (dry runs) only named. */
  images: Images;
  backend(kind: BackendKind): Backend;
}

export interface BottleCtx extends RunEnv {
  plan: BottlePlan;
  /** The agent's prompt body ('' for none). */
  prompt: string;
  /** Guest environment with values (may hold secrets: never recorded or logged). */
  guestEnv: Record<string, string>;
}

/** A task run once per bottle. The engine hands bottle-scoped tasks the item's context, a BottleCtx. */
export function bottleTask<O>(task: TaskDef<BottleCtx, O>): TaskDef<RunEnv, O> {
  return { ...task, scope: 'bottle' } as unknown as TaskDef<RunEnv, O>;
}

/** A task run once per run, shared by all bottles (building an image). */
export function runTask<O>(task: TaskDef<RunEnv, O>): TaskDef<RunEnv, O> {
  return { ...task, scope: 'run' };
}

export function backendOf(ctx: BottleCtx): Backend {
  return ctx.backend(ctx.plan.backend);
}

/** Options for a backend call from inside a task. */
export function op(io: { signal: AbortSignal; log(line: string): void }) {
  return { signal: io.signal, log: io.log };
}
