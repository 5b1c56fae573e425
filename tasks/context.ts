/**
 * What provisioning tasks are handed, and how they are declared. Run-scoped
 * tasks (images) get a RunEnv; bottle-scoped ones a BottleCtx: the RunEnv
 * plus the bottle's plan and the values that must not reach records (prompt
 * text, env values). A task names the tasks it needs as objects, so it reads
 * `io.needs.prepare.caCert` with its type, and renaming a task breaks the
 * build where it is used; the engine gets their ids.
 */
import type { ItemRecord, TaskDef, TaskIO, TaskRecord } from '../lib/engine/index.js';
import type { Backend } from '../lib/backends/types.js';
import type { RunBackends } from '../lib/backends/registry.js';
import { backendOfPlan } from '../lib/hosts/backend-of-plan.js';
import type { BottlePlan } from '../lib/plan/types.js';
import type { Images } from '../lib/images/images.js';

export interface RunEnv {
  stateRoot: string;
  /** Built for real, or (dry runs) only named. */
  images: Images;
  /** The run's backends: of a kind (the process's engine for Docker), and Docker's per engine. */
  backend: RunBackends;
  /**
   * Work done once per run for all the bottles that ask with the same key
   * (a proof that holds for every bottle of an image); the first to ask runs
   * it, the others get its promise. Work that failed is forgotten, so the
   * next to ask (a retry) runs it again.
   */
  once<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Keep what `bottle allow`/`deny` changed (up --keep-live-rules); else the manifest's egress policy again. */
  keepLiveRules?: boolean;
}

/** A fresh `once` for a run. */
export function oncePerRun(): RunEnv['once'] {
  const done = new Map<string, Promise<unknown>>();
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    if (!done.has(key)) {
      const running = work();
      done.set(key, running);
      running.catch(() => done.delete(key));
    }
    return done.get(key) as Promise<T>;
  };
}

export interface BottleCtx extends RunEnv {
  plan: BottlePlan;
  /** The agent's prompt body ('' for none). */
  prompt: string;
  /** Guest environment with values (may hold secrets: never recorded or logged). */
  guestEnv: Record<string, string>;
  /** The values of `plan.egress.credentials`, in order: for the bundle's proxy only, never recorded or logged. */
  credentialValues: readonly string[];
}

/** A task whose id the type system knows, so the tasks that need it read its output typed. */
export interface Task<O = unknown, Id extends string = string> extends TaskDef<RunEnv, O> {
  readonly id: Id;
}

type AnyTask = Task<any, string>;

/** The output a task returns. */
export type OutputOf<T> = T extends Task<infer O, string> ? O : never;

/** `io.needs` of a task that needs the tasks `N`: each one's output under its id. */
export type Needs<N extends readonly AnyTask[]> = { readonly [T in N[number] as T['id']]: OutputOf<T> };

export type TypedIO<N extends readonly AnyTask[]> = Omit<TaskIO, 'needs'> & { readonly needs: Needs<N> };

/** A TaskDef as a task file writes it: needs as task objects, io.needs typed by them. Methods, so a BottleCtx task fits the engine's RunEnv. */
interface TaskSpec<C, O, Id extends string, N extends readonly AnyTask[]> {
  readonly id: Id;
  readonly title: string;
  readonly summary?: string;
  readonly needs?: N;
  readonly retry?: TaskDef['retry'];
  readonly timeoutMs?: number;
  readonly resources?: readonly string[];
  fingerprint?(ctx: C): unknown;
  isDone?(ctx: C, output: O, signal: AbortSignal): boolean | Promise<boolean>;
  run(ctx: C, io: TypedIO<N>): O | Promise<O>;
}

function declare<C extends RunEnv, O, Id extends string, N extends readonly AnyTask[]>(spec: TaskSpec<C, O, Id, N>, scope: 'bottle' | 'run'): Task<O, Id> {
  // The engine hands bottle-scoped tasks the item's context (a BottleCtx) and the needs' outputs by id.
  return { ...spec, needs: spec.needs?.map((t) => t.id), scope };
}

/** A task run once per bottle. */
export function bottleTask<const Id extends string, O, const N extends readonly AnyTask[] = []>(spec: TaskSpec<BottleCtx, O, Id, N>): Task<O, Id> {
  return declare(spec, 'bottle');
}

/** A task run once per run, shared by all bottles (building an image). */
export function runTask<const Id extends string, O, const N extends readonly AnyTask[] = []>(spec: TaskSpec<RunEnv, O, Id, N>): Task<O, Id> {
  return declare(spec, 'run');
}

/**
 * A task's entry in a bottle's record, its output typed by the task:
 * `recordOf<typeof ready>(record, 'ready')`. The id must be the task's own,
 * and `import type { ready }` is enough, so readers of records (`bottle
 * status`) load no task code.
 */
export function recordOf<T extends AnyTask>(record: ItemRecord | null | undefined, id: T['id']): (TaskRecord & { output?: OutputOf<T> }) | undefined {
  return record?.tasks[id] as (TaskRecord & { output?: OutputOf<T> }) | undefined;
}

/** The bottle's backend: Docker on the engine of the host it is placed on. */
export function backendOf(ctx: BottleCtx): Backend {
  return backendOfPlan(ctx.backend, ctx.plan);
}

/** Options for a backend call from inside a task. */
export function op(io: { signal: AbortSignal; log(line: string): void }) {
  return { signal: io.signal, log: io.log };
}
