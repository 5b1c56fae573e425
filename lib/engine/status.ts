/**
 * The closed set of node statuses. Every table keyed by status (colours, icons,
 * counts) is a `Record<Status, ...>` so adding one is compiler-guided.
 */
export const STATUSES = [
  'pending',
  'running',
  'retrying',
  'done',
  'up-to-date',
  'failed',
  'blocked',
  'cancelled',
] as const;

export type Status = (typeof STATUSES)[number];

/** Statuses a node can end a run in. */
export type EndStatus = Extract<Status, 'done' | 'up-to-date' | 'failed' | 'blocked' | 'cancelled'>;

export const END_STATUSES: readonly EndStatus[] = ['done', 'up-to-date', 'failed', 'blocked', 'cancelled'];

/** A node whose output its dependents may use. */
export function isSuccess(status: Status): status is 'done' | 'up-to-date' {
  return status === 'done' || status === 'up-to-date';
}

export function emptyCounts(): Record<EndStatus, number> {
  return { done: 0, 'up-to-date': 0, failed: 0, blocked: 0, cancelled: 0 };
}
