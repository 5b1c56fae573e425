/** `bottle graph [--format text|mermaid|dot] [--down]`: the task graph, for reading or drawing. */
import { UsageError } from '../usage-error.js';
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { noPositionals, parse } from '../parse.js';

export const GRAPH_HELP = `Usage: bottle graph [--format text|mermaid|dot] [--down]

Print the up graph (or with --down, the down graph): each task and what it needs.
`;

export async function graph(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('graph', args, { ...COMMON_OPTIONS, format: { type: 'string' }, down: { type: 'boolean' } });
  if (values.help) {
    cli.stdout(GRAPH_HELP);
    return 0;
  }
  noPositionals('graph', positionals);
  const { formatGraph, GRAPH_FORMATS } = await import('../../lib/report/graph-format.js');
  const format = values.format ?? 'text';
  if (!(GRAPH_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${GRAPH_FORMATS.join(', ')}, got "${format}"`);
  }
  const g = values.down ? (await import('../../graphs/down.js')).downGraph({ purge: false }) : (await import('../../graphs/up.js')).upGraph();
  cli.stdout(formatGraph(g, format as (typeof GRAPH_FORMATS)[number]));
  return 0;
}
