/**
 * Picks the progress renderer: one pure function of the flag and the
 * terminal. `auto` means plain here (the TTY display arrives with listr2).
 */
import type { EventSink } from '../engine/events.js';
import { jsonReporter } from '../report/json.js';
import { plainReporter } from '../report/plain.js';
import { UsageError } from './usage-error.js';

export const PROGRESS_MODES = ['auto', 'plain', 'json'] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

export function parseProgress(value: string | undefined): ProgressMode {
  const mode = value ?? 'auto';
  if (!(PROGRESS_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`--progress must be one of ${PROGRESS_MODES.join(', ')}, got "${mode}"`);
  }
  return mode as ProgressMode;
}

export function reporterFor(mode: ProgressMode, write: (line: string) => void, verbose: boolean): EventSink {
  return mode === 'json' ? jsonReporter(write) : plainReporter(write, { verbose });
}
