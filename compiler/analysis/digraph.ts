/**
 * A small directed graph over string vertices for the flow analyses (flow.ts,
 * termination.ts, scc.ts): adjacency lists in insertion order, self-loops allowed, one
 * edge per ordered pair. It replaces graphology's `DirectedGraph` here because loading
 * graphology cost about 30 ms of CPU on every `rag` start and building a 10,000-node
 * flow graph with it about 40 ms; the few operations the analyses need are below, with
 * graphology's semantics (neighbour order = order the edges were added, a self-loop is
 * its own out- and in-neighbour), so the analyses' results and messages are unchanged.
 */

/** Out-degree from which a vertex's successors are also kept in a set. */
const WIDE = 16;

export class Digraph {
  private readonly outs = new Map<string, string[]>();
  private readonly ins = new Map<string, string[]>();
  /**
   * Successor sets of the vertices with many successors, for the duplicate check; a
   * short adjacency list is searched instead (no key string built per edge).
   */
  private readonly wide = new Map<string, Set<string>>();

  /** Adds vertex `v` (no-op when present). */
  addNode(v: string): void {
    if (this.outs.has(v)) return;
    this.outs.set(v, []);
    this.ins.set(v, []);
  }

  hasNode(v: string): boolean {
    return this.outs.has(v);
  }

  /** Adds the edge `from → to` once; both vertices must exist. */
  addDirectedEdge(from: string, to: string): void {
    const out = this.outs.get(from)!;
    if (out.length < WIDE) {
      if (out.includes(to)) return;
    } else {
      let set = this.wide.get(from);
      if (!set) this.wide.set(from, (set = new Set(out)));
      if (set.has(to)) return;
      set.add(to);
    }
    out.push(to);
    this.ins.get(to)!.push(from);
  }

  hasDirectedEdge(from: string, to: string): boolean {
    const out = this.outs.get(from);
    if (!out) return false;
    const set = this.wide.get(from);
    return set ? set.has(to) : out.includes(to);
  }

  /** Successors of `v`, in the order their edges were added (a shared array: do not modify). */
  outNeighbors(v: string): readonly string[] {
    return this.outs.get(v) ?? [];
  }

  /** Predecessors of `v`, in the order their edges were added (a shared array: do not modify). */
  inNeighbors(v: string): readonly string[] {
    return this.ins.get(v) ?? [];
  }

  forEachOutNeighbor(v: string, f: (w: string) => void): void {
    for (const w of this.outNeighbors(v)) f(w);
  }
}

/**
 * Vertices reachable from `start` (itself included), breadth first; `inbound` follows
 * edges backwards (the vertices that reach `start`). As graphology-traversal's `bfsFromNode`.
 */
export function bfsFrom(graph: Digraph, start: string, inbound = false): Set<string> {
  const seen = new Set<string>();
  if (!graph.hasNode(start)) return seen;
  seen.add(start);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const w of inbound ? graph.inNeighbors(queue[i]) : graph.outNeighbors(queue[i])) {
      if (seen.has(w)) continue;
      seen.add(w);
      queue.push(w);
    }
  }
  return seen;
}

/**
 * A shortest path `source → … → target` (both included), or null when there is none:
 * bidirectional breadth-first search that expands the smaller fringe first, the
 * algorithm of graphology-shortest-path's `unweighted.bidirectional`, so ties resolve to
 * the same path. `[source]` when source = target.
 */
export function shortestPath(graph: Digraph, source: string, target: string): string[] | null {
  if (source === target) return [source];
  const pred = new Map<string, string | null>([[source, null]]);
  const succ = new Map<string, string | null>([[target, null]]);
  let forward = [source];
  let reverse = [target];
  let meet: string | undefined;
  search: while (forward.length && reverse.length) {
    const fromSource = forward.length <= reverse.length;
    const fringe = fromSource ? forward : reverse;
    const next: string[] = [];
    const mine = fromSource ? pred : succ;
    const theirs = fromSource ? succ : pred;
    for (const v of fringe) {
      for (const w of fromSource ? graph.outNeighbors(v) : graph.inNeighbors(v)) {
        if (!mine.has(w)) {
          next.push(w);
          mine.set(w, v);
        }
        if (theirs.has(w)) {
          meet = w;
          break search;
        }
      }
    }
    if (fromSource) forward = next;
    else reverse = next;
  }
  if (meet === undefined) return null;
  const path: string[] = [];
  for (let v: string | null | undefined = meet; v; v = pred.get(v)) path.unshift(v);
  for (let v = succ.get(path[path.length - 1]); v; v = succ.get(v)) path.push(v);
  return path;
}
