/**
 * Expands graph x items into the nodes of one run (`<item>/<task>`), wires
 * their needs, and narrows them to a target when one is given. It schedules
 * nothing.
 */
import type { Graph } from './graph.js';
import { RUN_ITEM } from './options.js';
import type { NormalOptions } from './normalize.js';
import type { TaskRecord } from './recorder.js';
import type { EndStatus } from './status.js';
import type { TaskDef } from './task.js';

export interface Node<C> {
  readonly key: string;
  readonly item: string;
  readonly task: TaskDef<C>;
  readonly ctx: C;
  /** Its item's resource scope (options.ts `Item.scope`). */
  readonly scope: string | undefined;
  readonly rank: number;
  /**
   * Which ready node starts first (higher first): earlier items before later
   * ones, the run-scoped row first of all, then within an item the longest
   * remaining path. So the first bottles of a batch are ready early, and a
   * free slot still goes to later ones while earlier ones wait.
   */
  priority: number;
  /** Needs inside this run. */
  readonly needs: Node<C>[];
  /** Needs outside this run (a target without its deps): read from records. */
  readonly external: Node<C>[];
  readonly dependents: Node<C>[];
  /** Needs not yet successful. */
  waiting: number;
  started: boolean;
  /** Clock time and wall time (ISO) the node began, once it has. */
  began: number;
  startedAt: string;
  end?: EndStatus;
  /** This node's entry in the record of an earlier run. */
  prior?: TaskRecord;
  /** Effective fingerprint: own inputs plus needs' fingerprints and outputs. */
  fp?: string;
  output?: unknown;
  /** Hash of the output's JSON, folded into dependents' fingerprints. */
  outHash?: string;
}

export function nodeKey(item: string, task: string): string {
  return `${item}/${task}`;
}

export function expandNodes<C>(graph: Graph<C>, opts: NormalOptions<C>): Node<C>[] {
  const tasks = graph.tasks;
  const position = new Map(tasks.map((t, i) => [t.id, i]));
  // Needs by task position: wiring a node is array indexing, not string look-ups.
  const needsAt = tasks.map((t) => (t.needs ?? []).map((n) => position.get(n)!));
  const make = (item: string, task: TaskDef<C>, ctx: C, scope?: string): Node<C> => ({
    key: nodeKey(item, task.id),
    item,
    task,
    ctx,
    scope,
    rank: graph.rank.get(task.id)!,
    priority: 0,
    needs: [],
    external: [],
    dependents: [],
    waiting: 0,
    started: false,
    began: 0,
    startedAt: '',
  });
  // One row per item, indexed by task position; run-scoped tasks share one node across rows.
  const runRow = tasks.map((t) => (t.scope === 'run' ? make(RUN_ITEM, t, opts.shared as C) : undefined));
  const rows: (Node<C> | undefined)[][] = [runRow];
  for (const item of opts.items) rows.push(tasks.map((t, i) => (t.scope === 'run' ? runRow[i] : make(item.key, t, item.ctx, item.scope))));
  const owned = (row: (Node<C> | undefined)[], i: number) => (row === runRow ? tasks[i]!.scope === 'run' : tasks[i]!.scope !== 'run');
  const span = Math.max(0, ...graph.rank.values()) + 1;
  rows.forEach((row, r) => row.forEach((node, i) => owned(row, i) && (node!.priority = (rows.length - r) * span + node!.rank)));

  const target = opts.target;
  if (!target) {
    const nodes: Node<C>[] = [];
    for (const row of rows) {
      for (let i = 0; i < tasks.length; i++) {
        if (!owned(row, i)) continue;
        const node = row[i]!;
        for (const j of needsAt[i]!) {
          const dep = row[j]!;
          node.needs.push(dep);
          dep.dependents.push(node);
        }
        node.waiting = node.needs.length;
        nodes.push(node);
      }
    }
    return nodes;
  }
  return selectTarget(target, position, needsAt, rows, opts);
}

/** The target node (and with `withDeps` its ancestors); needs outside the selection are external. */
function selectTarget<C>(
  target: NonNullable<NormalOptions<C>['target']>,
  position: Map<string, number>,
  needsAt: number[][],
  rows: (Node<C> | undefined)[][],
  opts: NormalOptions<C>,
): Node<C>[] {
  const rowOf = (item: string) => (item === RUN_ITEM ? rows[0]! : rows[1 + opts.items.findIndex((x) => x.key === item)]!);
  const root = rowOf(target.item)[position.get(target.task)!]!;
  const chosen = new Set<Node<C>>([root]);
  if (target.withDeps) {
    const stack = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const row = rowOf(node.item);
      for (const j of needsAt[position.get(node.task.id)!]!) {
        const dep = row[j]!;
        if (!chosen.has(dep)) {
          chosen.add(dep);
          stack.push(dep);
        }
      }
    }
  }
  for (const node of chosen) {
    const row = rowOf(node.item);
    for (const j of needsAt[position.get(node.task.id)!]!) {
      const dep = row[j]!;
      if (chosen.has(dep)) {
        node.needs.push(dep);
        dep.dependents.push(node);
      } else {
        node.external.push(dep);
      }
    }
    node.waiting = node.needs.length;
  }
  return [...chosen];
}
