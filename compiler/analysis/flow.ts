/**
 * The control-flow graph of one resolved graph, as a `Digraph` (digraph.ts), for the
 * graph analyses (unreachable nodes, no path to END, cycles without exit, joins that
 * never fire, implicit ends, concurrent overwrites).
 *
 * Vertices are the node names plus `START` and `END` (both reserved words, so no node
 * can collide with them). One `FlowEdge` is kept per way control can pass, in source
 * order, with the span that caused it; the `Digraph` holds one merged edge per
 * ordered pair and is what traversals run on. Edges that name no node (already an
 * `E-rag-unknown-node`) are left out so that one mistake is reported once.
 *
 * Semantics follow `runtime/plan.ts`: a node without `next`/`routes`/`goto`/edges/`join`
 * (and not a barrier source) ends its branch (an `end` edge to END); `when` routes
 * without `else` also end the branch when no condition holds; `on_error -> x` is a way
 * out on failure; a `send` starts branches at node targets; `join X` and barriers lead
 * to their target. A node of a registry (custom) kind may return a Command whose goto
 * names any node: it gets an edge to END, and once one is reachable every node is.
 * Built once per graph and shared by every rule (cached).
 */
import type { Span } from "../../grammar/span.js";
import { canonicalKind } from "../resolve/kinds.js";
import { isFirstDeclaration, type ResolvedGraph, type ResolvedNode } from "../resolve/resolve.js";
import { bfsIds, Digraph, VertexSet } from "./digraph.js";
import { graphCache } from "./graph-cache.js";
import { isCycle, stronglyConnected } from "./scc.js";

export type FlowEdgeKind = "start" | "next" | "edge" | "route" | "when" | "else" | "goto" | "send" | "join" | "barrier" | "error" | "end";

export interface FlowEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: FlowEdgeKind;
  /** Route label for `route` edges. */
  readonly label?: string;
  /** The source text that creates the edge (the target reference, route or item). */
  readonly span: Span;
}

export const START = "START";
export const END = "END";

export interface FlowGraph {
  /** Merged graph (one edge per ordered pair); vertices are node names, START and END. */
  readonly graph: Digraph;
  readonly edges: readonly FlowEdge[];
  readonly out: ReadonlyMap<string, readonly FlowEdge[]>;
  readonly into: ReadonlyMap<string, readonly FlowEdge[]>;
  /** True when the graph has an entry (a `start` item or `START -> x` naming a node). */
  readonly hasEntry: boolean;
  /**
   * False when some reference names no node, so edges are missing: the analyses that
   * depend on every edge (reachability, termination) stay quiet rather than blame the
   * wrong node for one misspelling.
   */
  readonly complete: boolean;
  /** Nodes with a routing item or edge of their own (so they do not end implicitly). */
  readonly routed: ReadonlySet<string>;
  /** Nodes reachable from START (START included), in breadth-first order. */
  readonly reachable: VertexSet;
  /** Nodes from which END can be reached (END included), in breadth-first order. */
  readonly canEnd: VertexSet;
}

const cache = graphCache<FlowGraph>();

/** The flow graph of `g` (built on first use, then cached). */
export function flowGraph(g: ResolvedGraph): FlowGraph {
  let f = cache.get(g);
  if (!f) {
    f = build(g);
    cache.set(g, f);
  }
  return f;
}

/**
 * First declarations of the graph's nodes (named ones), in source order. When every
 * declaration has a name of its own (as many names as declarations), that is the node
 * list itself, returned without a copy.
 */
export function uniqueNodes(g: ResolvedGraph): readonly ResolvedNode[] {
  if (g.nodes.size === g.nodeList.length) return g.nodeList;
  return g.nodeList.filter((n) => n.name !== "" && isFirstDeclaration(g, n));
}

function build(g: ResolvedGraph): FlowGraph {
  // Vertex 0 is START, 1 is END, 2 + i the node declared at nodeList[i]; a name is its
  // first declaration's vertex (a repeated declaration's vertex gets no edges). START
  // and END are reserved words, so no node is named so.
  const names: string[] = [START, END];
  const list = g.nodeList;
  for (let i = 0; i < list.length; i++) {
    if (list[i]!.index !== i) throw new Error(`node \`${list[i]!.name}\` is not numbered by its position in the graph`);
    names.push(list[i]!.name);
  }
  const graph = new Digraph(names, new FlowVertices(g.nodes));
  const nodes = uniqueNodes(g);
  const routed = new VertexSet(graph);
  // The edges and completeness, filled by `add` (a module function: no closures per graph).
  const acc: Acc = { graph, edges: new EdgeList(), complete: true };

  let hasEntry = false;
  for (const s of g.starts) {
    // `start routes { … }`: each route target is an entry (which one runs depends on the input)
    if (s.target) {
      if (add(acc, START_ID, s.target.name, "start", s.target.span) >= 2) hasEntry = true;
    } else {
      for (const r of s.routes?.routes ?? []) if (add(acc, START_ID, r.target.name, "start", r.target.span) >= 2) hasEntry = true;
    }
  }
  for (const e of g.edgesFrom.get(START) ?? []) if (add(acc, START_ID, e.to.name, "start", e.to.span) >= 2) hasEntry = true;

  for (const j of g.joinEdges) {
    for (const s of j.sources) {
      const from = graph.id(s.name);
      if (from < 2) continue;
      routed.addId(from);
      add(acc, from, j.target.name, "barrier", j.target.span);
    }
  }

  const hasEdges = g.edgesFrom.size > 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    const id = n.index + 2;
    const it = n.items;
    const next = it.get("next");
    if (next?.targets.length) {
      routed.addId(id);
      for (const t of next.targets) add(acc, id, t.name, "next", t.span);
    }
    const routesItem = it.get("routes");
    const routes = routesItem?.routes;
    if (routes?.length) {
      routed.addId(id);
      for (const r of routes) {
        if (r.kind === "LabelRoute") add(acc, id, r.target.name, "route", r.span, r.label.name);
        else add(acc, id, r.target.name, r.kind === "WhenRoute" ? "when" : "else", r.span);
      }
      if (allWhen(routes)) add(acc, id, END, "end", routesItem!.keyword.span);
    }
    const command = it.get("command");
    const goto = command?.goto;
    if (goto?.name) {
      routed.addId(id);
      // `goto parent.X` ends this graph's run (it continues in the parent graph)
      add(acc, id, command?.parent ? END : goto.name, "goto", goto.span);
    }
    if (hasEdges) {
      for (const e of g.edgesFrom.get(n.name) ?? []) {
        routed.addId(id);
        add(acc, id, e.to.name, "edge", e.to.span);
      }
    }
    const join = it.get("join");
    if (join && n.sends.length) {
      routed.addId(id);
      add(acc, id, join.target.name, "join", join.target.span);
    }
    const onError = it.get("on_error");
    if (onError) add(acc, id, onError.target.name, "error", onError.target.span);
    for (const s of n.sends) {
      for (const t of s.targets) {
        const to = graph.id(t.target.name);
        if (to >= 2) addId(acc, id, to, "send", t.target.span);
      }
    }
    if (n.kind === "join") {
      for (const v of it.get("sources")?.value.items ?? []) {
        const src = graph.id(v.kind === "Word" ? v.name : v.kind === "String" ? v.value : "");
        if (src < 2) continue;
        routed.addId(src);
        addId(acc, src, id, "barrier", v.span);
      }
    }
  }
  for (let i = 0; i < nodes.length; i++) if (!routed.hasId(nodes[i]!.index + 2)) addId(acc, nodes[i]!.index + 2, END_ID, "end", nodes[i]!.decl.name.span);
  // A node of a registry (custom) kind may return a Command whose goto names any node of
  // the graph or END (LangGraph's edgeless graphs; the runtime does not confine a kind's
  // own goto to drawn edges, only a tool's): it can end the run, and after it any node may run.
  const dynamic: number[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (canonicalKind(n.kind) !== undefined) continue;
    dynamic.push(n.index + 2);
    if (routed.hasId(n.index + 2)) addId(acc, n.index + 2, END_ID, "goto", (n.kindItem ?? n.decl.name).span);
  }

  const reachable = bfsIds(graph, START_ID);
  if (dynamic.some((id) => reachable.hasId(id))) {
    for (let i = 0; i < nodes.length; i++) reachable.addId(nodes[i]!.index + 2);
    reachable.addId(END_ID);
  }
  const canEnd = bfsIds(graph, END_ID, true);
  return new Flow(graph, acc.edges, hasEntry, acc.complete, routed, reachable, canEnd);
}

const START_ID = 0;
const END_ID = 1;

/** A flow graph's vertex numbers by name: START 0, END 1, a node 2 + its first declaration's index, else -1. */
class FlowVertices {
  constructor(private readonly byName: ReadonlyMap<string, ResolvedNode>) {}

  vertexOf(v: string): number {
    return v === START ? START_ID : v === END ? END_ID : (this.byName.get(v)?.index ?? -3) + 2;
  }
}

interface Acc {
  readonly graph: Digraph;
  readonly edges: EdgeList;
  complete: boolean;
}

/**
 * Adds the edge from vertex `from` to `to` when `to` is a node or END (never START);
 * else marks the graph incomplete (when `to` names something). Returns the target's
 * vertex number, or -1 when no edge was added.
 */
function add(acc: Acc, from: number, to: string, kind: FlowEdgeKind, span: Span, label?: string): number {
  const t = acc.graph.id(to);
  if (t <= START_ID) {
    if (to) acc.complete = false;
    return -1;
  }
  addId(acc, from, t, kind, span, label);
  return t;
}

function addId(acc: Acc, from: number, to: number, kind: FlowEdgeKind, span: Span, label?: string): void {
  acc.edges.push(from, to, kind, span, label);
  acc.graph.addEdge(from, to);
}

function allWhen(routes: readonly { readonly kind: string }[]): boolean {
  for (const r of routes) if (r.kind !== "WhenRoute") return false;
  return true;
}

/**
 * The flow edges in the order they were added, as parallel lists (vertex numbers, kind,
 * span, label); `FlowEdge` objects are made when asked for, once each.
 */
class EdgeList {
  readonly from: number[] = [];
  readonly to: number[] = [];
  readonly kind: FlowEdgeKind[] = [];
  readonly span: Span[] = [];
  /** Labels by edge index (only route edges have one). */
  labels: Map<number, string> | undefined;
  private objects: (FlowEdge | undefined)[] | undefined;

  get length(): number {
    return this.from.length;
  }

  push(from: number, to: number, kind: FlowEdgeKind, span: Span, label: string | undefined): void {
    if (label !== undefined) (this.labels ??= new Map()).set(this.from.length, label);
    this.from.push(from);
    this.to.push(to);
    this.kind.push(kind);
    this.span.push(span);
  }

  /** Edge `i` as a FlowEdge (made on first use). */
  edge(i: number, names: readonly string[]): FlowEdge {
    const objects = (this.objects ??= []);
    let e = objects[i];
    if (!e) {
      const from = names[this.from[i]!]!;
      const to = names[this.to[i]!]!;
      const label = this.labels?.get(i);
      e = objects[i] = label !== undefined ? { from, to, kind: this.kind[i]!, span: this.span[i]!, label } : { from, to, kind: this.kind[i]!, span: this.span[i]! };
    }
    return e;
  }
}

/** A built flow graph; `edges`, `out` and `into` are made on first use (most graphs' rules never ask). */
class Flow implements FlowGraph {
  private all: FlowEdge[] | undefined;
  private outMap: EdgesByVertex | undefined;
  private intoMap: EdgesByVertex | undefined;

  constructor(
    readonly graph: Digraph,
    private readonly list: EdgeList,
    readonly hasEntry: boolean,
    readonly complete: boolean,
    readonly routed: ReadonlySet<string>,
    readonly reachable: VertexSet,
    readonly canEnd: VertexSet,
  ) {}

  get edges(): readonly FlowEdge[] {
    if (!this.all) {
      const all: FlowEdge[] = [];
      for (let i = 0; i < this.list.length; i++) all.push(this.list.edge(i, this.graph.names));
      this.all = all;
    }
    return this.all;
  }

  get out(): ReadonlyMap<string, readonly FlowEdge[]> {
    return (this.outMap ??= new EdgesByVertex(this.graph, this.list, this.list.from));
  }

  get into(): ReadonlyMap<string, readonly FlowEdge[]> {
    return (this.intoMap ??= new EdgesByVertex(this.graph, this.list, this.list.to));
  }
}

/**
 * The flow edges grouped by their source (or target) vertex, in the order they were
 * added, read as a map from vertex name; only vertices with edges are keys, in the
 * order of their first edge. The grouping is a counting sort over vertex numbers.
 */
class EdgesByVertex implements ReadonlyMap<string, readonly FlowEdge[]> {
  /** Edge indices grouped by vertex: vertex v's are `order[start[v] .. start[v + 1])`. */
  private readonly start: Int32Array;
  private readonly order: Int32Array;
  /** Vertices with edges, in the order of their first edge. */
  private readonly firstSeen: number[] = [];
  private readonly lists: (FlowEdge[] | undefined)[] = [];

  constructor(
    private readonly graph: Digraph,
    private readonly list: EdgeList,
    by: readonly number[],
  ) {
    const v = graph.order;
    const start = new Int32Array(v + 1);
    for (let i = 0; i < by.length; i++) {
      const x = by[i]!;
      if (start[x + 1]++ === 0) this.firstSeen.push(x);
    }
    for (let i = 0; i < v; i++) start[i + 1] += start[i]!;
    const fill = start.slice(0, v);
    const order = new Int32Array(by.length);
    for (let i = 0; i < by.length; i++) order[fill[by[i]!]!++] = i;
    this.start = start;
    this.order = order;
  }

  private edgesOf(id: number): FlowEdge[] | undefined {
    const from = this.start[id]!;
    const to = this.start[id + 1]!;
    if (from === to) return undefined;
    let l = this.lists[id];
    if (!l) {
      l = [];
      for (let i = from; i < to; i++) l.push(this.list.edge(this.order[i]!, this.graph.names));
      this.lists[id] = l;
    }
    return l;
  }

  get(v: string): readonly FlowEdge[] | undefined {
    const id = this.graph.id(v);
    return id < 0 ? undefined : this.edgesOf(id);
  }

  has(v: string): boolean {
    const id = this.graph.id(v);
    return id >= 0 && this.start[id] !== this.start[id + 1];
  }

  get size(): number {
    return this.firstSeen.length;
  }

  *entries(): MapIterator<[string, readonly FlowEdge[]]> {
    for (const id of this.firstSeen) yield [this.graph.names[id]!, this.edgesOf(id)!];
  }

  [Symbol.iterator](): MapIterator<[string, readonly FlowEdge[]]> {
    return this.entries();
  }

  *keys(): MapIterator<string> {
    for (const id of this.firstSeen) yield this.graph.names[id]!;
  }

  *values(): MapIterator<readonly FlowEdge[]> {
    for (const id of this.firstSeen) yield this.edgesOf(id)!;
  }

  forEach(f: (value: readonly FlowEdge[], key: string, map: ReadonlyMap<string, readonly FlowEdge[]>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) f.call(thisArg, v, k, this);
  }
}

const loopsCache = new WeakMap<FlowGraph, readonly (readonly string[])[]>();

/**
 * The loops of `flow` (built on first use, then cached): its strongly connected components
 * among the nodes reachable from START (START and END left out) that are cycles — more
 * than one node, or one with an edge to itself — each in the order Tarjan's algorithm
 * gives (`stronglyConnected`).
 */
export function flowLoops(flow: FlowGraph): readonly (readonly string[])[] {
  let loops = loopsCache.get(flow);
  if (!loops) {
    const within = new VertexSet(flow.graph);
    const ids = flow.reachable.ids();
    for (let i = 0; i < ids.length; i++) if (ids[i]! !== START_ID && ids[i]! !== END_ID) within.addId(ids[i]!);
    loops = stronglyConnected(flow.graph, within).filter((c) => isCycle(flow.graph, c));
    loopsCache.set(flow, loops);
  }
  return loops;
}
