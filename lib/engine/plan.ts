/**
 * What a run would do, without doing it (like `terraform plan`): for each
 * node, run or up to date, and why. It runs no task and writes no record; it
 * calls tasks' `fingerprint` and `isDone`, which only read.
 */
import type { Graph } from './graph.js';
import { expandNodes } from './nodes.js';
import { normalizeOptions } from './normalize.js';
import type { RunOptions } from './options.js';
import { checkExternalNeeds, effectiveFingerprint, loadPriors, outputHash, stillDone } from './priors.js';
import { isSuccess } from './status.js';

export interface PlannedNode {
  item: string;
  task: string;
  action: 'run' | 'up-to-date';
  reason: string;
}

export async function planRun<C>(graph: Graph<C>, options: RunOptions<C>): Promise<PlannedNode[]> {
  const opts = normalizeOptions(graph, options);
  const nodes = expandNodes(graph, opts);
  await loadPriors(nodes, opts);
  checkExternalNeeds(nodes);
  const willRun = new Set<string>();
  const out: PlannedNode[] = [];
  // Nodes come needs-first, so each need is decided before its dependents.
  for (const node of nodes) {
    const prior = node.prior;
    let reason: string | undefined;
    const running = node.needs.find((n) => willRun.has(n.key));
    if (opts.isForced(node.task.id)) reason = 'forced';
    else if (!prior) reason = 'never run';
    else if (!isSuccess(prior.status)) reason = `last run ${prior.status}`;
    else if (running) reason = `needs ${running.task.id}, which will run`;
    else {
      const own = await node.task.fingerprint?.(node.ctx);
      node.fp = effectiveFingerprint(node, own ?? null);
      if (node.fp !== prior.fingerprint) reason = 'inputs changed';
      else if (!(await stillDone(node, new AbortController().signal))) reason = 'its effect is gone';
    }
    if (reason) {
      willRun.add(node.key);
    } else {
      node.output = prior!.output;
      node.outHash = outputHash(prior!.output);
    }
    out.push({ item: node.item, task: node.task.id, action: reason ? 'run' : 'up-to-date', reason: reason ?? 'up to date' });
  }
  return out;
}
