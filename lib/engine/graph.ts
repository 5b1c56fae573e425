/**
 * Validates a set of task definitions as a whole and derives what the scheduler
 * needs: a topological order and each task's longest remaining path. It runs
 * nothing and knows nothing of items.
 */
import { EngineError } from './errors.js';
import { findCycles } from './cycles.js';
import type { TaskDef } from './task.js';

export interface Graph<C = unknown> {
  /** Tasks in a topological order (needs first), declaration order breaking ties. */
  readonly tasks: readonly TaskDef<C>[];
  readonly byId: ReadonlyMap<string, TaskDef<C>>;
  /** Ids of the tasks that need each task. */
  readonly dependents: ReadonlyMap<string, readonly string[]>;
  /** Number of tasks on the longest path from a task to the end of the graph, itself included. */
  readonly rank: ReadonlyMap<string, number>;
}

const ID = /^[a-z0-9][a-z0-9-]*$/;

export function defineGraph<C>(tasks: readonly TaskDef<C, any>[]): Graph<C> {
  const problems = validate(tasks);
  if (problems.length > 0) {
    throw new EngineError(
      'GRAPH_INVALID',
      `The task graph is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n- ${problems.join('\n- ')}`,
      problems,
    );
  }
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const dependents = new Map<string, string[]>(tasks.map((t) => [t.id, []]));
  for (const t of tasks) for (const n of t.needs ?? []) dependents.get(n)!.push(t.id);
  const order = topoOrder(tasks, dependents);
  const rank = new Map<string, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i]!;
    let longest = 0;
    for (const d of dependents.get(t.id)!) longest = Math.max(longest, rank.get(d)!);
    rank.set(t.id, longest + 1);
  }
  return { tasks: order, byId, dependents, rank };
}

function validate<C>(tasks: readonly TaskDef<C, any>[]): string[] {
  const problems: string[] = [];
  const counts = new Map<string, number>();
  for (const t of tasks) counts.set(t.id, (counts.get(t.id) ?? 0) + 1);
  for (const [id, n] of counts) {
    if (!ID.test(id)) problems.push(`task id ${JSON.stringify(id)} is not valid: use lower-case letters, digits and dashes`);
    if (n > 1) problems.push(`task id "${id}" is declared ${n} times; ids must be unique`);
  }
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const known = [...counts.keys()].join(', ');
  for (const t of tasks) {
    const needs = t.needs ?? [];
    for (const need of new Set(needs.filter((n, i) => needs.indexOf(n) !== i))) {
      problems.push(`task "${t.id}" lists need "${need}" more than once`);
    }
    for (const need of new Set(needs)) {
      const dep = byId.get(need);
      if (!dep) {
        problems.push(`task "${t.id}" needs "${need}", which is not a task of this graph (tasks: ${known})`);
      } else if ((t.scope ?? 'bottle') === 'run' && (dep.scope ?? 'bottle') === 'bottle') {
        problems.push(
          `run-scoped task "${t.id}" needs bottle-scoped task "${need}"; a run-scoped task runs once for all items, so it can only need run-scoped tasks`,
        );
      }
    }
    if (t.retry?.attempts !== undefined && !(Number.isInteger(t.retry.attempts) && t.retry.attempts >= 1)) {
      problems.push(`task "${t.id}" has retry.attempts ${t.retry.attempts}; expected a whole number >= 1`);
    }
    if (t.timeoutMs !== undefined && !(t.timeoutMs > 0)) {
      problems.push(`task "${t.id}" has timeoutMs ${t.timeoutMs}; expected a number > 0`);
    }
  }
  const edges = new Map(tasks.map((t) => [t.id, (t.needs ?? []).filter((n) => byId.has(n))]));
  for (const cycle of findCycles(edges)) problems.push(`cycle (each task needs the next): ${cycle.join(" -> ")}`);
  return problems;
}

/** Kahn's algorithm; the graph is known to be acyclic here. */
function topoOrder<C>(tasks: readonly TaskDef<C>[], dependents: Map<string, string[]>): TaskDef<C>[] {
  const index = new Map(tasks.map((t, i) => [t.id, i]));
  const waiting = new Map(tasks.map((t) => [t.id, (t.needs ?? []).length]));
  const ready = tasks.filter((t) => waiting.get(t.id) === 0);
  const order: TaskDef<C>[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => index.get(a.id)! - index.get(b.id)!);
    const t = ready.shift()!;
    order.push(t);
    for (const d of dependents.get(t.id)!) {
      const left = waiting.get(d)! - 1;
      waiting.set(d, left);
      if (left === 0) ready.push(tasks[index.get(d)!]!);
    }
  }
  return order;
}
