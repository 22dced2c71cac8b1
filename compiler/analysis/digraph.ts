/**
 * A small directed graph over string vertices for the flow analyses (flow.ts,
 * termination.ts, scc.ts): adjacency lists in insertion order, self-loops allowed, one
 * edge per ordered pair. It replaces graphology's `DirectedGraph` here because loading
 * graphology cost about 30 ms of CPU on every `rag` start and building a 10,000-node
 * flow graph with it about 40 ms; the few operations the analyses need are below, with
 * graphology's semantics (neighbour order = order the edges were added, a self-loop is
 * its own out- and in-neighbour), so the analyses' results and messages are unchanged.
 */

/** Out-degree from which a vertex's successors are also kept in a set (for the duplicate check). */
const WIDE = 16;
const NONE: readonly string[] = [];

interface Vertex {
  readonly outs: string[];
  readonly ins: string[];
  /** The successors as a set, once there are WIDE of them; a short list is searched instead. */
  wide: Set<string> | undefined;
}

export class Digraph {
  /** Per vertex: successors and predecessors in insertion order (one map lookup per vertex). */
  private readonly vertices = new Map<string, Vertex>();

  /** Adds vertex `v` (no-op when present). */
  addNode(v: string): void {
    if (!this.vertices.has(v)) this.vertices.set(v, { outs: [], ins: [], wide: undefined });
  }

  hasNode(v: string): boolean {
    return this.vertices.has(v);
  }

  /** Adds the edge `from → to` once; both vertices must exist. */
  addDirectedEdge(from: string, to: string): void {
    const f = this.vertices.get(from)!;
    const out = f.outs;
    if (f.wide) {
      if (f.wide.has(to)) return;
      f.wide.add(to);
    } else if (out.length < WIDE) {
      if (out.includes(to)) return;
    } else {
      f.wide = new Set(out);
      if (f.wide.has(to)) return;
      f.wide.add(to);
    }
    out.push(to);
    this.vertices.get(to)!.ins.push(from);
  }

  hasDirectedEdge(from: string, to: string): boolean {
    const f = this.vertices.get(from);
    if (!f) return false;
    return f.wide ? f.wide.has(to) : f.outs.includes(to);
  }

  /** Successors of `v`, in the order their edges were added (a shared array: do not modify). */
  outNeighbors(v: string): readonly string[] {
    return this.vertices.get(v)?.outs ?? NONE;
  }

  /** Predecessors of `v`, in the order their edges were added (a shared array: do not modify). */
  inNeighbors(v: string): readonly string[] {
    return this.vertices.get(v)?.ins ?? NONE;
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
