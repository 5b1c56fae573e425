/**
 * The least time a run with these node durations could take: the longest
 * chain of durations along the graph's needs, all the work spread evenly
 * over the scheduler's slots, or the work of the nodes that hold a named
 * limit spread over that limit's slots, whichever is most. Pure: durations,
 * the graph and the limits come in; it does not know docker or bottles, and
 * it ignores process start-up.
 */

export interface GraphTask {
  id: string;
  needs?: readonly string[];
  /** `run`: one node for the whole run (item `_run`); `bottle` (default): one per bottle. */
  scope?: 'bottle' | 'run';
  /** Named limits the task holds. */
  resources?: readonly string[];
}

export interface NodeEnd {
  bottle: string;
  task: string;
  durationMs: number;
}

export interface LowerBound {
  boundMs: number;
  chainMs: number;
  /** The longest chain, first node first (`<bottle>/<task>`; nodes that did not report are left out). */
  chain: string[];
  workMs: number;
  concurrency: number;
  /** The named limit whose work over its slots is the largest, and that figure. */
  limit: { name: string; slots: number; workMs: number } | null;
  nodes: number;
}

export const RUN_ITEM = '_run';

export function lowerBound(ends: readonly NodeEnd[], tasks: readonly GraphTask[], concurrency: number, limits: Readonly<Record<string, number>> = {}): LowerBound {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const duration = new Map<string, number>();
  for (const e of ends) duration.set(`${e.bottle}/${e.task}`, e.durationMs);
  const unknown = [...new Set(ends.map((e) => e.task).filter((t) => !byId.has(t)))];
  if (unknown.length > 0) throw new Error(`the run reported tasks the up graph does not have: ${unknown.join(', ')} (known: ${[...byId.keys()].join(', ')})`);

  // Longest chain ending at each node, memoised; the graph is a DAG (defineGraph checked it).
  const memo = new Map<string, { ms: number; from: string | null }>();
  const chainTo = (node: string): { ms: number; from: string | null } => {
    const known = memo.get(node);
    if (known) return known;
    const [bottle, task] = splitNode(node);
    let best: { ms: number; from: string | null } = { ms: 0, from: null };
    for (const need of byId.get(task)?.needs ?? []) {
      const needNode = `${byId.get(need)?.scope === 'run' ? RUN_ITEM : bottle}/${need}`;
      const c = chainTo(needNode);
      if (c.ms > best.ms || best.from === null) best = { ms: c.ms, from: needNode };
    }
    const result = { ms: best.ms + (duration.get(node) ?? 0), from: best.from };
    memo.set(node, result);
    return result;
  };

  let end: string | null = null;
  let chainMs = 0;
  for (const node of duration.keys()) {
    const c = chainTo(node);
    if (end === null || c.ms > chainMs) [end, chainMs] = [node, c.ms];
  }
  const chain: string[] = [];
  for (let n = end; n !== null; n = memo.get(n)?.from ?? null) if (duration.has(n)) chain.unshift(n);
  const workMs = [...duration.values()].reduce((a, b) => a + b, 0);
  let limit: LowerBound['limit'] = null;
  for (const [name, slots] of Object.entries(limits)) {
    let held = 0;
    for (const [node, ms] of duration) if (byId.get(splitNode(node)[1])?.resources?.includes(name)) held += ms;
    if (limit === null || held / slots > limit.workMs / limit.slots) limit = { name, slots, workMs: held };
  }
  const boundMs = Math.max(chainMs, workMs / concurrency, limit ? limit.workMs / limit.slots : 0);
  return { boundMs, chainMs, chain, workMs, concurrency, limit, nodes: duration.size };
}

function splitNode(node: string): [string, string] {
  const slash = node.lastIndexOf('/');
  return [node.slice(0, slash), node.slice(slash + 1)];
}
