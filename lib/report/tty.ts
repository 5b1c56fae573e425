/**
 * The terminal display (listr2). Until it lands, the plain renderer stands in:
 * one line per transition, then the recap.
 */
import { plainReporter } from './plain.js';
import { recapLines } from './recap.js';
import type { Reporter, ReporterStreams } from './reporter.js';

export function ttyReporter(streams: ReporterStreams, options: { verbose: boolean }): Reporter {
  const line = (text: string) => streams.out(`${text}\n`);
  return { sink: plainReporter(line, options), finish: async (result, recap) => recapLines(result, recap).forEach(line) };
}
