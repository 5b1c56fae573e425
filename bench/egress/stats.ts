/** A sample of request times, summed up: median and p95 (nearest rank) in ms, and requests per second one after another. Pure. */
export interface Summary {
  readonly n: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  /** n over the summed request times: the rate of a client that sends one request at a time. */
  readonly perSecond: number;
}

function rank(sorted: readonly number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}

export function summarise(ms: readonly number[]): Summary {
  if (ms.length === 0) throw new RangeError('summarise: expected at least one request time, got none');
  const sorted = [...ms].sort((a, b) => a - b);
  const total = sorted.reduce((sum, x) => sum + x, 0);
  return { n: sorted.length, medianMs: rank(sorted, 0.5), p95Ms: rank(sorted, 0.95), perSecond: (sorted.length * 1000) / total };
}
