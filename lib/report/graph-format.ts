/**
 * A task graph as text, Mermaid or Graphviz dot. Pure functions of the graph;
 * kept apart from the algorithms (as terraform keeps its dot output apart).
 */
import type { Graph } from '../engine/index.js';

export const GRAPH_FORMATS = ['text', 'mermaid', 'dot'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export function formatGraph(graph: Graph<unknown>, format: GraphFormat): string {
  const edges = graph.tasks.flatMap((t) => (t.needs ?? []).map((n) => [n, t.id] as const));
  switch (format) {
    case 'text':
      return (
        graph.tasks
          .map((t) => {
            const scope = t.scope === 'run' ? ' [once per run]' : '';
            const needs = t.needs?.length ? ` <- ${t.needs.join(', ')}` : '';
            return `${t.id}${scope}${needs}${t.summary ? `\n    ${t.summary}` : ''}`;
          })
          .join('\n') + '\n'
      );
    case 'mermaid':
      return ['graph LR', ...graph.tasks.map((t) => `  ${safe(t.id)}["${t.title}"]`), ...edges.map(([a, b]) => `  ${safe(a)} --> ${safe(b)}`)].join('\n') + '\n';
    case 'dot':
      return (
        ['digraph bottle {', '  rankdir=LR;', ...graph.tasks.map((t) => `  "${t.id}" [label="${t.title}"${t.scope === 'run' ? ', shape=box' : ''}];`), ...edges.map(([a, b]) => `  "${a}" -> "${b}";`), '}'].join(
          '\n',
        ) + '\n'
      );
  }
}

/** Mermaid ids cannot hold dashes in every renderer. */
function safe(id: string): string {
  return id.replace(/-/g, '_');
}
