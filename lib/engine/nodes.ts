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
  readonly rank: number;
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
  const all = new Map<string, Node<C>>();
  const make = (item: string, task: TaskDef<C>, ctx: C): Node<C> => {
    const node: Node<C> = {
      key: nodeKey(item, task.id),
      item,
      task,
      ctx,
      rank: graph.rank.get(task.id)!,
      needs: [],
      external: [],
      dependents: [],
      waiting: 0,
      started: false,
      began: 0,
      startedAt: '',
    };
    all.set(node.key, node);
    return node;
  };
  const runTasks = graph.tasks.filter((t) => t.scope === 'run');
  for (const t of runTasks) make(RUN_ITEM, t, opts.shared as C);
  for (const item of opts.items) {
    for (const t of graph.tasks) if (t.scope !== 'run') make(item.key, t, item.ctx);
  }
  const needOf = (node: Node<C>, need: string): Node<C> => {
    const dep = graph.byId.get(need)!;
    return all.get(nodeKey(dep.scope === 'run' ? RUN_ITEM : node.item, need))!;
  };
  const selected = select(all, opts, needOf);
  for (const node of selected) {
    for (const need of node.task.needs ?? []) {
      const dep = needOf(node, need);
      if (selected.has(dep)) {
        node.needs.push(dep);
        dep.dependents.push(node);
      } else {
        node.external.push(dep);
      }
    }
    node.waiting = node.needs.length;
  }
  return [...selected];
}

function select<C>(
  all: Map<string, Node<C>>,
  opts: NormalOptions<C>,
  needOf: (node: Node<C>, need: string) => Node<C>,
): Set<Node<C>> {
  const target = opts.target;
  if (!target) return new Set(all.values());
  const root = all.get(nodeKey(target.item, target.task))!;
  const chosen = new Set<Node<C>>([root]);
  if (target.withDeps) {
    const stack = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      for (const need of node.task.needs ?? []) {
        const dep = needOf(node, need);
        if (!chosen.has(dep)) {
          chosen.add(dep);
          stack.push(dep);
        }
      }
    }
  }
  return chosen;
}
