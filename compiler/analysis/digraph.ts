/**
 * A small directed graph over string vertices for the flow analyses (flow.ts,
 * termination.ts, scc.ts): adjacency lists in insertion order, self-loops allowed, one
 * edge per ordered pair. It replaces graphology's `DirectedGraph` here because loading
 * graphology cost about 30 ms of CPU on every `rag` start and building a 10,000-node
 * flow graph with it about 40 ms; the few operations the analyses need are below, with
 * graphology's semantics (neighbour order = order the edges were added, a self-loop is
 * its own out- and in-neighbour), so the analyses' results and messages are unchanged.
 *
 * Vertices are numbered 0 … n-1 and named by the caller, which also says how to find a
 * name's number; adjacency is kept as lists of vertex numbers, so building and walking
 * the graph needs no map lookup per edge (the flow graph of a 10,000-node graph made
 * some 60,000 lookups and 10,000 insertions in maps keyed by name). The name-based
 * methods translate at the edge.
 */

/** Out-degree from which a vertex's successors are also kept in a set (for the duplicate check). */
const WIDE = 16;
/** Shared empty adjacency list of a vertex without edges (replaced on its first edge). */
const EMPTY: number[] = [];
Object.freeze(EMPTY);

/**
 * How a `Digraph` finds a name's vertex number: an object with a method, not a closure
 * (a closure made per graph is a new call target for every compile, and code optimized
 * for one compile's was thrown away at the next).
 */
export interface VertexLookup {
  /** The vertex number of `name`, or -1 when there is none. */
  vertexOf(name: string): number;
}

export class Digraph {
  /** Per vertex: successors, in the order their edges were added. */
  private readonly outs: number[][] = [];
  /** Per vertex: predecessors, in the order their edges were added. */
  private readonly ins: number[][] = [];
  /** Per vertex: the successors as a set, once there are WIDE of them; a short list is searched instead. */
  private wide: (Set<number> | undefined)[] | undefined;

  /**
   * A graph of the vertices `names` (vertex i is `names[i]`), without edges. `vertices`
   * gives a name's vertex number, or -1 (the caller usually has a map that can tell,
   * so the graph keeps none of its own).
   */
  constructor(
    readonly names: readonly string[],
    private readonly vertices: VertexLookup,
  ) {
    for (let i = 0; i < names.length; i++) {
      this.outs.push(EMPTY);
      this.ins.push(EMPTY);
    }
  }

  /** Number of vertices. */
  get order(): number {
    return this.names.length;
  }

  /** The number of vertex `v`, or -1 when it is absent. */
  id(v: string): number {
    return this.vertices.vertexOf(v);
  }

  hasNode(v: string): boolean {
    return this.vertices.vertexOf(v) >= 0;
  }

  /** Adds the edge `from → to` once; both vertices must exist. */
  addDirectedEdge(from: string, to: string): void {
    this.addEdge(this.vertices.vertexOf(from), this.vertices.vertexOf(to));
  }

  /** Adds the edge between vertex numbers `f → t` once; returns whether it was new. */
  addEdge(f: number, t: number): boolean {
    let out = this.outs[f]!;
    if (out.length < WIDE) {
      for (let i = 0; i < out.length; i++) if (out[i] === t) return false;
    } else {
      const wide = (this.wide ??= []);
      let set = wide[f];
      if (!set) set = wide[f] = new Set(out);
      if (set.has(t)) return false;
      set.add(t);
    }
    // A vertex's first edge makes a one-element list: most vertices keep one or two
    // edges, where `[]` and a push allocated room for sixteen.
    if (out === EMPTY) this.outs[f] = [t];
    else out.push(t);
    const into = this.ins[t]!;
    if (into === EMPTY) this.ins[t] = [f];
    else into.push(f);
    return true;
  }

  hasDirectedEdge(from: string, to: string): boolean {
    const f = this.vertices.vertexOf(from);
    const t = this.vertices.vertexOf(to);
    return f >= 0 && t >= 0 && this.hasEdge(f, t);
  }

  /** Whether the edge `f → t` (vertex numbers) exists. */
  hasEdge(f: number, t: number): boolean {
    const set = this.wide?.[f];
    return set ? set.has(t) : this.outs[f]!.includes(t);
  }

  /** Successors of vertex number `f`, in the order their edges were added (a shared array: do not modify). */
  outIds(f: number): readonly number[] {
    return this.outs[f]!;
  }

  /** Predecessors of vertex number `t`, in the order their edges were added (a shared array: do not modify). */
  inIds(t: number): readonly number[] {
    return this.ins[t]!;
  }

  /** Successors of `v`, in the order their edges were added. */
  outNeighbors(v: string): string[] {
    const id = this.vertices.vertexOf(v);
    return id < 0 ? [] : this.namesOf(this.outs[id]!);
  }

  /** Predecessors of `v`, in the order their edges were added. */
  inNeighbors(v: string): string[] {
    const id = this.vertices.vertexOf(v);
    return id < 0 ? [] : this.namesOf(this.ins[id]!);
  }

  forEachOutNeighbor(v: string, f: (w: string) => void): void {
    const id = this.vertices.vertexOf(v);
    if (id < 0) return;
    for (const w of this.outs[id]!) f(this.names[w]!);
  }

  private namesOf(list: readonly number[]): string[] {
    const out: string[] = new Array<string>(list.length);
    for (let i = 0; i < list.length; i++) out[i] = this.names[list[i]!]!;
    return out;
  }
}

/**
 * A set of a `Digraph`'s vertices, by number: a mark per vertex and the members in the
 * order they were added (which is the order iteration yields their names). Read as a
 * `ReadonlySet` of names.
 */
export class VertexSet implements ReadonlySet<string> {
  private readonly marks: Uint8Array;
  private readonly members: number[] = [];

  constructor(private readonly graph: Digraph) {
    this.marks = new Uint8Array(graph.order);
  }

  /** Adds vertex number `id`; returns whether it was new. */
  addId(id: number): boolean {
    if (this.marks[id]) return false;
    this.marks[id] = 1;
    this.members.push(id);
    return true;
  }

  hasId(id: number): boolean {
    return this.marks[id] === 1;
  }

  /** The members' vertex numbers, in the order they were added (a shared array: do not modify). */
  ids(): readonly number[] {
    return this.members;
  }

  has(v: string): boolean {
    const id = this.graph.id(v);
    return id >= 0 && this.marks[id] === 1;
  }

  get size(): number {
    return this.members.length;
  }

  *[Symbol.iterator](): SetIterator<string> {
    const names = this.graph.names;
    for (const id of this.members) yield names[id]!;
  }

  keys(): SetIterator<string> {
    return this[Symbol.iterator]();
  }

  values(): SetIterator<string> {
    return this[Symbol.iterator]();
  }

  *entries(): SetIterator<[string, string]> {
    for (const v of this) yield [v, v];
  }

  forEach(f: (value: string, value2: string, set: ReadonlySet<string>) => void, thisArg?: unknown): void {
    for (const v of this) f.call(thisArg, v, v, this);
  }
}

/**
 * Vertices reachable from vertex number `start` (itself included), breadth first, in the
 * order they are found; `inbound` follows edges backwards (the vertices that reach `start`).
 */
export function bfsIds(graph: Digraph, start: number, inbound = false): VertexSet {
  const seen = new VertexSet(graph);
  seen.addId(start);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const next = inbound ? graph.inIds(queue[i]!) : graph.outIds(queue[i]!);
    for (let j = 0; j < next.length; j++) {
      const w = next[j]!;
      if (seen.addId(w)) queue.push(w);
    }
  }
  return seen;
}

/**
 * Vertices reachable from `start` (itself included), breadth first; `inbound` follows
 * edges backwards (the vertices that reach `start`). As graphology-traversal's `bfsFromNode`.
 */
export function bfsFrom(graph: Digraph, start: string, inbound = false): ReadonlySet<string> {
  const id = graph.id(start);
  return id < 0 ? new Set<string>() : bfsIds(graph, id, inbound);
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
