/**
 * Picks the progress renderer: one pure function of the flag and the
 * terminal. `auto` is `tty` on a terminal and `plain` otherwise (CI, pipes).
 */
import { jsonReporter } from '../lib/report/json.js';
import { plainReporter } from '../lib/report/plain.js';
import type { Reporter, ReporterStreams } from '../lib/report/reporter.js';
import { recapLines } from '../lib/report/recap.js';
import { UsageError } from './usage-error.js';

export const PROGRESS_MODES = ['auto', 'tty', 'plain', 'json'] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

export function parseProgress(value: string | undefined): ProgressMode {
  const mode = value ?? 'auto';
  if (!(PROGRESS_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`--progress must be one of ${PROGRESS_MODES.join(', ')}, got "${mode}"`);
  }
  return mode as ProgressMode;
}

/** The renderer `auto` means here. */
export function resolveMode(mode: ProgressMode, isTTY: boolean): Exclude<ProgressMode, 'auto'> {
  if (mode !== 'auto') return mode;
  return isTTY ? 'tty' : 'plain';
}

export async function reporterFor(mode: Exclude<ProgressMode, 'auto'>, streams: ReporterStreams, verbose: boolean): Promise<Reporter> {
  const line = (text: string) => streams.out(`${text}\n`);
  if (mode === 'json') return { sink: jsonReporter(line), finish: async () => {} };
  if (mode === 'tty') {
    // Loaded only when drawn: listr2 is the heaviest import we have.
    const { ttyReporter } = await import('../lib/report/tty.js');
    // Two lines spare: the frame must fit the screen to be redrawn in place.
    return ttyReporter(streams, { verbose, ...(streams.rows ? { maxLines: Math.max(8, streams.rows - 2) } : {}) });
  }
  return {
    sink: plainReporter(line, { verbose }),
    finish: async (result, recap) => recapLines(result, recap).forEach(line),
  };
}
