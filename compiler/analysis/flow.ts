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
 * to their target. Built once per graph and shared by every rule (cached).
 */
import type { Span } from "../../grammar/span.js";
import type { ResolvedGraph, ResolvedNode } from "../resolve/resolve.js";
import { bfsFrom, Digraph } from "./digraph.js";
import { graphCache } from "./graph-cache.js";

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
  /** Nodes reachable from START (START included). */
  readonly reachable: ReadonlySet<string>;
  /** Nodes from which END can be reached (END included). */
  readonly canEnd: ReadonlySet<string>;
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

/** First declarations of the graph's nodes, in source order. */
export function uniqueNodes(g: ResolvedGraph): ResolvedNode[] {
  // every node is its name's first declaration unless names repeat or are missing: no test per node then
  if (g.nodes.size === g.nodeList.length) return g.nodeList.slice();
  const out: ResolvedNode[] = [];
  for (const n of g.nodeList) if (n.name && g.nodes.get(n.name) === n) out.push(n);
  return out;
}

function build(g: ResolvedGraph): FlowGraph {
  const graph = new Digraph();
  graph.addNode(START);
  graph.addNode(END);
  const nodes = uniqueNodes(g);
  for (const n of nodes) graph.addNode(n.name);
  const routed = new Set<string>();
  // The edges and completeness, filled by `add` (a module function: no closures per graph).
  const acc: Acc = { g, graph, edges: [], complete: true };

  let hasEntry = false;
  for (const s of g.starts) {
    // `start routes { … }`: each route target is an entry (which one runs depends on the input)
    for (const t of s.target ? [s.target] : (s.routes?.routes ?? []).map((r) => r.target)) {
      if (g.nodes.has(t.name)) hasEntry = true;
      add(acc, START, t.name, "start", t.span);
    }
  }
  for (const e of g.edgesFrom.get(START) ?? []) {
    if (g.nodes.has(e.to.name)) hasEntry = true;
    add(acc, START, e.to.name, "start", e.to.span);
  }

  for (const j of g.joinEdges) {
    for (const s of j.sources) {
      if (!g.nodes.has(s.name)) continue;
      routed.add(s.name);
      add(acc, s.name, j.target.name, "barrier", j.target.span);
    }
  }

  for (const n of nodes) {
    const it = n.items;
    const name = n.name;
    const next = it.get("next");
    if (next?.targets.length) routed.add(name);
    for (const t of next?.targets ?? []) add(acc, name, t.name, "next", t.span);
    const routes = it.get("routes")?.routes ?? [];
    if (routes.length) routed.add(name);
    for (const r of routes) {
      if (r.kind === "LabelRoute") add(acc, name, r.target.name, "route", r.span, r.label.name);
      else add(acc, name, r.target.name, r.kind === "WhenRoute" ? "when" : "else", r.span);
    }
    if (routes.length && allWhen(routes)) add(acc, name, END, "end", it.get("routes")!.keyword.span);
    const command = it.get("command");
    const goto = command?.goto;
    if (goto?.name) {
      routed.add(name);
      // `goto parent.X` ends this graph's run (it continues in the parent graph)
      add(acc, name, command?.parent ? END : goto.name, "goto", goto.span);
    }
    for (const e of g.edgesFrom.get(name) ?? []) {
      routed.add(name);
      add(acc, name, e.to.name, "edge", e.to.span);
    }
    const join = it.get("join");
    if (join && n.sends.length) {
      routed.add(name);
      add(acc, name, join.target.name, "join", join.target.span);
    }
    const onError = it.get("on_error");
    if (onError) add(acc, name, onError.target.name, "error", onError.target.span);
    for (const s of n.sends) for (const t of s.targets) if (g.nodes.has(t.target.name)) add(acc, name, t.target.name, "send", t.target.span);
    if (n.kind === "join") {
      for (const v of it.get("sources")?.value.items ?? []) {
        const src = v.kind === "Word" ? v.name : v.kind === "String" ? v.value : "";
        if (!g.nodes.has(src)) continue;
        routed.add(src);
        add(acc, src, name, "barrier", v.span);
      }
    }
  }
  for (const n of nodes) if (!routed.has(n.name)) add(acc, n.name, END, "end", n.decl.name.span);

  const reachable = bfsFrom(graph, START);
  const canEnd = bfsFrom(graph, END, true);
  return new Flow(graph, acc.edges, hasEntry, acc.complete, routed, reachable, canEnd);
}

interface Acc {
  readonly g: ResolvedGraph;
  readonly graph: Digraph;
  readonly edges: FlowEdge[];
  complete: boolean;
}

/** Adds the edge `from → to` when `to` is a node or END (never START); else marks the graph incomplete (when `to` names something). */
function add(acc: Acc, from: string, to: string, kind: FlowEdgeKind, span: Span, label?: string): void {
  if ((to !== END && !acc.g.nodes.has(to)) || to === START) {
    if (to) acc.complete = false;
    return;
  }
  acc.edges.push(label !== undefined ? { from, to, kind, span, label } : { from, to, kind, span });
  acc.graph.addDirectedEdge(from, to);
}

function allWhen(routes: readonly { readonly kind: string }[]): boolean {
  for (const r of routes) if (r.kind !== "WhenRoute") return false;
  return true;
}

/** A built flow graph; `out` and `into` are grouped on first use (most graphs' rules never ask). */
class Flow implements FlowGraph {
  private grouped: { readonly out: Map<string, FlowEdge[]>; readonly into: Map<string, FlowEdge[]> } | undefined;

  constructor(
    readonly graph: Digraph,
    readonly edges: readonly FlowEdge[],
    readonly hasEntry: boolean,
    readonly complete: boolean,
    readonly routed: ReadonlySet<string>,
    readonly reachable: ReadonlySet<string>,
    readonly canEnd: ReadonlySet<string>,
  ) {}

  get out(): ReadonlyMap<string, readonly FlowEdge[]> {
    return this.group().out;
  }

  get into(): ReadonlyMap<string, readonly FlowEdge[]> {
    return this.group().into;
  }

  private group(): { readonly out: Map<string, FlowEdge[]>; readonly into: Map<string, FlowEdge[]> } {
    if (this.grouped) return this.grouped;
    const out = new Map<string, FlowEdge[]>();
    const into = new Map<string, FlowEdge[]>();
    for (const e of this.edges) {
      const o = out.get(e.from);
      if (o) o.push(e);
      else out.set(e.from, [e]);
      const i = into.get(e.to);
      if (i) i.push(e);
      else into.set(e.to, [e]);
    }
    return (this.grouped = { out, into });
  }
}
