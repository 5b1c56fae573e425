/**
 * Lists the elementary cycles of a small directed graph, each as a path that
 * ends where it starts (`a -> b -> a`). Task graphs have tens of nodes, so a
 * depth-first search per start node is enough; the list is capped.
 */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>, limit = 20): string[][] {
  const ids = [...edges.keys()];
  const order = new Map(ids.map((id, i) => [id, i]));
  const cycles: string[][] = [];
  for (const start of ids) {
    const startIndex = order.get(start)!;
    // Only visit nodes after `start` so each cycle is found once, from its first node.
    const path: string[] = [start];
    const onPath = new Set([start]);
    const visit = (node: string): void => {
      for (const next of edges.get(node) ?? []) {
        if (cycles.length >= limit) return;
        if (next === start) {
          cycles.push([...path, start]);
        } else if (order.get(next)! > startIndex && !onPath.has(next)) {
          path.push(next);
          onPath.add(next);
          visit(next);
          path.pop();
          onPath.delete(next);
        }
      }
    };
    visit(start);
  }
  return cycles;
}
