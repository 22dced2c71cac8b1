/**
 * Strongly connected components of a flow graph (digraph.ts), restricted to a vertex set:
 * Tarjan's algorithm (1972) written with an explicit stack. graphology-components'
 * `stronglyConnectedComponents` recurses once per vertex and overflows the call stack
 * on a 10,000-node chain (the front end's node limit), so the cycle analyses use this.
 */
import { VertexSet, type Digraph } from "./digraph.js";

/**
 * Components of the subgraph of `graph` induced by `within`, in reverse topological
 * order (a component comes before every component that can reach it). O(V + E).
 * Roots are taken in `within`'s iteration order and successors in edge order, so the
 * components and their member order are the same on every run.
 *
 * Works on vertex numbers with typed arrays (index, lowlink, on-stack mark) and one
 * shared frame stack: the name-keyed maps, a closure and an object per vertex it used
 * before made this the costliest analysis of a 10,000-node graph.
 */
export function stronglyConnected(graph: Digraph, within: ReadonlySet<string>): string[][] {
  const n = graph.order;
  const names = graph.names;
  // 0 = outside `within`; 1 = inside. Roots in `within`'s order.
  const inside = new Uint8Array(n);
  const roots: number[] = [];
  if (within instanceof VertexSet) {
    const ids = within.ids();
    for (let i = 0; i < ids.length; i++) {
      inside[ids[i]!] = 1;
      roots.push(ids[i]!);
    }
  } else {
    for (const v of within) {
      const id = graph.id(v);
      if (id < 0 || inside[id]) continue;
      inside[id] = 1;
      roots.push(id);
    }
  }
  // index[v] = discovery number + 1 (0 = not yet visited); low[v] likewise.
  const index = new Int32Array(n);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  // The DFS frames: the vertex and how many of its successors have been looked at.
  const frameV: number[] = [];
  const frameI: number[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (let r = 0; r < roots.length; r++) {
    // `found`: a vertex to discover (the root, then each unvisited successor), or -1.
    let found = roots[r]!;
    if (index[found]) continue;
    do {
      if (found >= 0) {
        counter++;
        index[found] = low[found] = counter;
        stack.push(found);
        onStack[found] = 1;
        frameV.push(found);
        frameI.push(0);
        found = -1;
      }
      const top = frameV.length - 1;
      const v = frameV[top]!;
      const next = graph.outIds(v);
      let i = frameI[top]!;
      while (i < next.length) {
        const w = next[i++]!;
        if (!inside[w]) continue;
        if (!index[w]) {
          frameI[top] = i;
          found = w;
          break;
        }
        if (onStack[w] && index[w]! < low[v]!) low[v] = index[w]!;
      }
      if (found >= 0) continue;
      frameV.pop();
      frameI.pop();
      if (frameV.length) {
        const parent = frameV[frameV.length - 1]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
      if (low[v] === index[v]) {
        const component: string[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component.push(names[w]!);
        } while (w !== v);
        components.push(component);
      }
    } while (frameV.length);
  }
  return components;
}

/** True when `component` is a cycle: more than one vertex, or one with a self-loop. */
export function isCycle(graph: Digraph, component: readonly string[]): boolean {
  return component.length > 1 || graph.hasDirectedEdge(component[0], component[0]);
}
