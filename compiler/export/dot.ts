/**
 * GraphView → Graphviz DOT (https://graphviz.org/doc/info/lang.html). Shapes by kind
 * (router diamond, join hexagon, interrupt parallelogram, subgraph/subagent double box,
 * START/END ovals); edges: sends dashed, joins and barriers bold, `on_error` dotted red,
 * calls dotted; subgraphs as `cluster_…` subgraphs.
 */
import type { GraphView, ViewEdge, ViewNode } from "./graph-view.js";

export function toDot(view: GraphView): string {
  const lines = [`digraph ${q(view.id)} {`, "  rankdir=TB;", '  node [shape=box, style=rounded, fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];'];
  for (const n of view.nodes) if (!n.cluster) lines.push("  " + node(n));
  for (const c of view.clusters) {
    lines.push(`  subgraph ${q("cluster_" + c.id)} {`, `    label=${q(c.label)};`, "    style=dashed;");
    for (const n of view.nodes) if (n.cluster === c.id) lines.push("    " + node(n));
    lines.push("  }");
  }
  for (const e of view.edges) lines.push("  " + edge(e));
  lines.push("}");
  return lines.join("\n") + "\n";
}

const SHAPES: Readonly<Record<string, string>> = {
  start: "shape=oval, style=filled, fillcolor=lightgrey",
  end: "shape=oval, style=filled, fillcolor=lightgrey",
  router: "shape=diamond, style=solid",
  join: "shape=hexagon, style=solid",
  interrupt: "shape=parallelogram, style=solid",
  subgraph: "peripheries=2",
  subagent: "peripheries=2",
  agent_ref: "peripheries=2, style=dashed",
  graph_ref: "peripheries=2, style=dashed",
};

function node(n: ViewNode): string {
  const label = n.detail ? `${n.label}\n${n.detail}${n.interrupt ? ` · interrupt ${n.interrupt}` : ""}` : n.label;
  const shape = SHAPES[n.kind];
  return `${q(n.id)} [label=${q(label)}${shape ? ", " + shape : ""}];`;
}

const STYLES: Partial<Record<ViewEdge["kind"], string>> = {
  send: "style=dashed",
  join: "style=bold, penwidth=2",
  barrier: "style=bold, penwidth=2",
  on_error: "style=dotted, color=red",
  calls: "style=dotted",
};

function edge(e: ViewEdge): string {
  const attrs = [...(e.label !== undefined ? [`label=${q(e.label)}`] : []), ...(STYLES[e.kind] ? [STYLES[e.kind]!] : [])];
  return `${q(e.from)} -> ${q(e.to)}${attrs.length ? ` [${attrs.join(", ")}]` : ""};`;
}

/** A DOT quoted string. */
function q(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}
