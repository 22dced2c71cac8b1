/**
 * A drawable view of a Blueprint (`rag graph`, the studio's graph panel): nodes, edges
 * and clusters, with every control-flow element of `language.md` §2.3 kept apart so a
 * renderer can draw it distinctly — static edges, labelled routes, `when`/`else`
 * conditions, `command goto`, Send fan-out (with what it iterates over and the join it
 * feeds), joins and barriers, `on_error`, and same-file subgraphs as clusters. This is
 * also the `--format json` output. Pure data; no Node built-ins.
 */
import type { Blueprint, NodeKind, NodeSpec, SendSpec } from "../blueprint.js";
import { exprSpecText } from "../ir-text.js";

export type ViewNodeKind = NodeKind | "start" | "end" | "agent_ref" | "graph_ref";

export interface ViewNode {
  /** Unique in the view: the node name, `START`/`END`, `agent:NAME`, or `GRAPH/…` inside a cluster. */
  readonly id: string;
  /** The node name as written. */
  readonly label: string;
  readonly kind: ViewNodeKind;
  /** One line of detail: kind and bindings (`agent · model "default"`). */
  readonly detail?: string;
  /** Interrupt around this node (`interrupt before/after`). */
  readonly interrupt?: "before" | "after" | "before+after";
  /** Cluster id when the node belongs to a subgraph cluster. */
  readonly cluster?: string;
}

/**
 * `start` START → entry; `static` next/edges; `route` labelled outcome; `when`/`else`
 * conditions; `goto` command; `send` one Send packet template (fan-out); `join` a sent
 * branch feeding the sender's `join X`; `barrier` `join [a, b] -> c` or a join node's
 * sources; `on_error`; `calls` a subgraph node (or graph send) entering its cluster.
 */
export type ViewEdgeKind = "start" | "static" | "route" | "when" | "else" | "goto" | "send" | "join" | "barrier" | "on_error" | "calls";

export interface ViewEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: ViewEdgeKind;
  readonly label?: string;
}

export interface ViewCluster {
  /** The same-file graph drawn in the cluster (also the prefix of its node ids). */
  readonly id: string;
  readonly label: string;
}

export interface GraphView {
  readonly id: string;
  readonly hash: string;
  readonly nodes: readonly ViewNode[];
  readonly edges: readonly ViewEdge[];
  readonly clusters: readonly ViewCluster[];
}

export interface GraphViewOptions {
  /** Blueprints of same-file graphs by name; each one a subgraph node or send calls is drawn as a cluster. */
  readonly graphs?: ReadonlyMap<string, Blueprint>;
}

/** The view of `bp` (and, as clusters, of the same-file graphs it calls). */
export function graphView(bp: Blueprint, options: GraphViewOptions = {}): GraphView {
  const b = new ViewBuilder(options.graphs ?? new Map());
  b.addGraph(bp, "", 0);
  return { id: bp.id, hash: bp.hash, nodes: b.nodes, edges: b.edges, clusters: b.clusters };
}

/** How many subgraph clusters may nest in one picture; deeper calls are drawn as references. */
export const MAX_CLUSTER_DEPTH = 16;

class ViewBuilder {
  readonly nodes: ViewNode[] = [];
  readonly edges: ViewEdge[] = [];
  readonly clusters: ViewCluster[] = [];
  private readonly ids = new Set<string>();
  private readonly clusterIds = new Set<string>();

  constructor(private readonly graphs: ReadonlyMap<string, Blueprint>) {}

  /**
   * Adds a graph's nodes and edges, ids prefixed with `prefix` (`""` for the top graph);
   * `depth` is how many subgraph clusters enclose it.
   */
  addGraph(bp: Blueprint, prefix: string, depth: number): void {
    const cluster = prefix ? prefix.slice(0, -1) : undefined;
    const id = (name: string) => prefix + name;
    const interrupts = new Map<string, ViewNode["interrupt"]>();
    for (const n of bp.interrupts.before) interrupts.set(n, "before");
    for (const n of bp.interrupts.after) interrupts.set(n, interrupts.has(n) ? "before+after" : "after");

    this.node({ id: id("START"), label: "START", kind: "start", ...(cluster ? { cluster } : {}) });
    for (const n of bp.nodes) {
      const it = interrupts.get(n.name);
      this.node({ id: id(n.name), label: n.name, kind: n.kind, detail: detail(n), ...(it ? { interrupt: it } : {}), ...(cluster ? { cluster } : {}) });
    }
    for (const s of bp.start) this.edge(id("START"), id(s), "start");
    for (const e of bp.edges) {
      const label = e.kind === "route" ? e.label : e.kind === "when" ? `when ${exprSpecText(e.when)}` : e.kind === "else" ? "else" : e.kind === "goto" ? "goto" : undefined;
      this.edge(id(e.from), id(e.to), e.kind, label);
    }
    for (const n of bp.nodes) {
      if (n.graph) {
        const entry = this.cluster(n.graph, depth + 1) ?? this.graphRef(n.graph);
        if (entry) this.edge(id(n.name), entry, "calls", "calls");
      }
      const targets = (n.sends ?? []).map((s) => ({ s, to: this.sendTarget(s, id, depth + 1) }));
      for (const { s, to } of targets) this.edge(id(n.name), to.entry, "send", sendLabel(s));
      if (n.join) {
        const label = `join (wait ${n.join.wait})`;
        for (const t of new Set(targets.map(({ to }) => to.exit))) this.edge(t, id(n.join.target), "join", label);
      }
      if (n.onError) this.edge(id(n.name), id(n.onError), "on_error", "on error");
    }
    for (const bar of bp.barriers) for (const s of bar.sources) this.edge(id(s), id(bar.target), "barrier", "join");
    if (this.edges.some((e) => e.to === id("END"))) this.node({ id: id("END"), label: "END", kind: "end", ...(cluster ? { cluster } : {}) });
  }

  /** Where a Send packet enters (`entry`) and where its branch ends for a join (`exit`). */
  private sendTarget(s: SendSpec, id: (name: string) => string, depth: number): { entry: string; exit: string } {
    if (s.targetKind === "node") return { entry: id(s.target), exit: id(s.target) };
    if (s.targetKind === "graph") {
      const entry = this.cluster(s.target, depth);
      // The branch ends where the subgraph ends.
      if (entry) return { entry, exit: this.ids.has(`${s.target}/END`) ? `${s.target}/END` : entry };
      const ref = this.graphRef(s.target);
      return { entry: ref, exit: ref };
    }
    this.node({ id: `agent:${s.target}`, label: s.target, kind: "agent_ref", detail: "agent" });
    return { entry: `agent:${s.target}`, exit: `agent:${s.target}` };
  }

  /**
   * Draws a same-file graph once as a cluster; returns its START id, or undefined when the
   * graph is unknown or would nest deeper than {@link MAX_CLUSTER_DEPTH} (then the caller
   * draws a reference node instead, so a chain of thousands of subgraphs stays a small
   * picture and needs no deep recursion).
   */
  private cluster(name: string, depth: number): string | undefined {
    const bp = this.graphs.get(name);
    if (!bp) return undefined;
    const start = `${name}/START`;
    if (this.clusterIds.has(name)) return start;
    if (depth > MAX_CLUSTER_DEPTH) return undefined;
    this.clusterIds.add(name);
    this.clusters.push({ id: name, label: `${name} (subgraph)` });
    this.addGraph(bp, `${name}/`, depth);
    return start;
  }

  /** A node standing for a graph that is not drawn as a cluster; returns its id. */
  private graphRef(name: string): string {
    this.node({ id: `graph:${name}`, label: name, kind: "graph_ref", detail: "graph" });
    return `graph:${name}`;
  }

  private node(n: ViewNode): void {
    if (this.ids.has(n.id)) return;
    this.ids.add(n.id);
    this.nodes.push(n);
  }

  private edge(from: string, to: string, kind: ViewEdgeKind, label?: string): void {
    this.edges.push({ from, to, kind, ...(label !== undefined ? { label } : {}) });
  }
}

function sendLabel(s: SendSpec): string {
  return `send${s.forEach ? ` each ${s.forEach.variable} in ${exprSpecText(s.forEach.iterable)}` : ""}${s.into ? ` → ${s.into}` : ""}`;
}

function detail(n: NodeSpec): string {
  const parts: string[] = [n.kind];
  if (n.model) parts.push(`model "${n.model}"`);
  if (n.agent) parts.push(`agent "${n.agent}"`);
  if (n.graph) parts.push(`graph "${n.graph}"`);
  if (n.tool) parts.push(`tool "${n.tool}"`);
  if (n.script) parts.push(`script "${n.script}"`);
  if (n.route) parts.push(`route "${n.route}"`);
  return parts.join(" · ");
}
