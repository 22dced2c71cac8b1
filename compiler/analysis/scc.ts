/**
 * Strongly connected components of a flow graph (digraph.ts), restricted to a vertex set:
 * Tarjan's algorithm (1972) written with an explicit stack. graphology-components'
 * `stronglyConnectedComponents` recurses once per vertex and overflows the call stack
 * on a 10,000-node chain (the front end's node limit), so the cycle analyses use this.
 */
import type { Digraph } from "./digraph.js";

/**
 * Components of the subgraph of `graph` induced by `within`, in reverse topological
 * order (a component comes before every component that can reach it). O(V + E).
 */
export function stronglyConnected(graph: Digraph, within: ReadonlySet<string>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of within) {
    if (index.has(root)) continue;
    // Each frame: the vertex and its remaining out-neighbours.
    const frames: { v: string; next: string[]; i: number }[] = [];
    const open = (v: string) => {
      index.set(v, counter);
      low.set(v, counter);
      counter++;
      stack.push(v);
      onStack.add(v);
      const next: string[] = [];
      graph.forEachOutNeighbor(v, (w) => {
        if (within.has(w)) next.push(w);
      });
      frames.push({ v, next, i: 0 });
    };
    open(root);
    while (frames.length) {
      const f = frames[frames.length - 1];
      if (f.i < f.next.length) {
        const w = f.next[f.i++];
        if (!index.has(w)) open(w);
        else if (onStack.has(w)) low.set(f.v, Math.min(low.get(f.v)!, index.get(w)!));
        continue;
      }
      frames.pop();
      if (frames.length) {
        const parent = frames[frames.length - 1].v;
        low.set(parent, Math.min(low.get(parent)!, low.get(f.v)!));
      }
      if (low.get(f.v) === index.get(f.v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== f.v);
        components.push(component);
      }
    }
  }
  return components;
}

/** True when `component` is a cycle: more than one vertex, or one with a self-loop. */
export function isCycle(graph: Digraph, component: readonly string[]): boolean {
  return component.length > 1 || graph.hasDirectedEdge(component[0], component[0]);
}
