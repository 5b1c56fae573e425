/** The exit codes of a finished run (docs/architecture.md): 0 ok, 1 a task failed, 130 interrupted. */
import type { RunStatus } from '../lib/engine/index.js';

export function exitCodeOf(status: RunStatus): number {
  return status === 'ok' ? 0 : status === 'cancelled' ? 130 : 1;
}
