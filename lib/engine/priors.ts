/**
 * What a run knows before it starts a node: the records of earlier runs, the
 * outputs of needs outside the run, and the effective fingerprint (own inputs
 * plus each need's fingerprint and output). Shared by the scheduler and the
 * planner, so "up to date" means one thing.
 */
import { EngineError } from './errors.js';
import { hash, stableStringify } from './fingerprint.js';
import type { Node } from './nodes.js';
import type { NormalOptions } from './normalize.js';
import { isSuccess } from './status.js';

export async function loadPriors<C>(nodes: Node<C>[], opts: NormalOptions<C>): Promise<void> {
  const items = new Set<string>();
  for (const n of nodes) {
    items.add(n.item);
    for (const e of n.external) items.add(e.item);
  }
  const records = new Map(
    await Promise.all([...items].map(async (item) => [item, await opts.recorder.load(item)] as const)),
  );
  const assign = (n: Node<C>) => {
    n.prior = records.get(n.item)?.tasks[n.task.id];
  };
  for (const n of nodes) {
    assign(n);
    n.external.forEach(assign);
  }
}

/** A target run without its deps reads its needs' outputs from records: they must be there. */
export function checkExternalNeeds<C>(nodes: Node<C>[]): void {
  for (const node of nodes) {
    const missing = node.external.filter((e) => !(e.prior && isSuccess(e.prior.status)));
    if (missing.length > 0) {
      const list = missing.map((e) => `"${e.task.id}" (${e.prior?.status ?? 'never run'})`).join(', ');
      throw new EngineError(
        'NEEDS_NOT_DONE',
        `task "${node.task.id}" of ${node.item} needs ${list}, not done yet; run them first, or add --with-deps to run them now`,
        missing.map((e) => e.task.id),
      );
    }
    for (const e of node.external) {
      e.fp = e.prior!.fingerprint;
      e.output = e.prior!.output;
      e.outHash = outputHash(e.output);
    }
  }
}

export function effectiveFingerprint<C>(node: Node<C>, own: unknown): string {
  let text = stableStringify(own);
  for (const n of node.needs) text += `|${n.task.id}:${n.fp}:${n.outHash}`;
  for (const n of node.external) text += `|${n.task.id}:${n.fp}:${n.outHash}`;
  return hash(text);
}

export function outputHash(output: unknown): string {
  return output === undefined ? '-' : hash(stableStringify(output));
}

/** The task's own probe that its recorded effect still exists; a probe that cannot tell means "run it". */
export async function stillDone<C>(node: Node<C>, signal: AbortSignal): Promise<boolean> {
  if (!node.task.isDone) return true;
  try {
    return await node.task.isDone(node.ctx, node.prior!.output, signal);
  } catch {
    return false;
  }
}
