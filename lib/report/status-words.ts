/** Each status in a sentence ("3 up to date"), the same in every renderer. */
import type { Status } from '../engine/index.js';

export const STATUS_WORD: Record<Status, string> = {
  pending: 'waiting',
  running: 'running',
  retrying: 'retrying',
  done: 'done',
  'up-to-date': 'up to date',
  failed: 'failed',
  blocked: 'blocked',
  cancelled: 'cancelled',
};
