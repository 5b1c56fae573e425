import { describe, expect, it } from 'vitest';
import { upGraph } from '../../graphs/up.js';
import { formatGraph } from '../../lib/report/graph-format.js';

describe('formatGraph', () => {
  it('lists each task of the up graph with what it needs and, below, what it does (the bundle\'s daemons named)', () => {
    const text = formatGraph(upGraph(), 'text');
    expect(text).toContain('gate-repo <- prepare\n    the gate repository');
    expect(text).toContain(
      'daemons <- network, bundle-image, prepare, gate-repo\n    the bundle: egress proxy :3128, git gate :8418, supervise MCP :8765; waits for each one\'s health\n',
    );
    expect(text.split('\n').filter((line) => !line.startsWith(' ')).filter(Boolean)).toHaveLength(upGraph().tasks.length);
  });

  it('draws the same tasks and needs for Mermaid and dot', () => {
    const mermaid = formatGraph(upGraph(), 'mermaid');
    expect(mermaid).toContain('gate_repo --> daemons');
    expect(formatGraph(upGraph(), 'dot')).toContain('"gate-repo" -> "start-vm";');
  });
});
