/**
 * GraphView → Mermaid flowchart source (https://mermaid.js.org/syntax/flowchart.html).
 * Shapes by kind (router ◇, join ⬡, interrupt ▱, subgraph/subagent and agent/graph
 * targets as subroutines, START/END as stadiums); arrows by edge kind: `-->` static,
 * `-->|label|` routes and conditions, `-.->` sends, `on_error` and calls, `==>` joins
 * and barriers. Subgraphs are `subgraph … end` clusters.
 */
import type { GraphView, ViewEdge, ViewNode } from "./graph-view.js";

export function toMermaid(view: GraphView): string {
  const ids = new MermaidIds();
  const lines = ["flowchart TD"];
  const node = (n: ViewNode, indent: string) => lines.push(indent + ids.of(n.id) + shape(n));
  for (const n of view.nodes) if (!n.cluster) node(n, "  ");
  for (const c of view.clusters) {
    lines.push(`  subgraph ${ids.of("cluster:" + c.id)} [${quote(c.label)}]`, "    direction TB");
    for (const n of view.nodes) if (n.cluster === c.id) node(n, "    ");
    lines.push("  end");
  }
  for (const e of view.edges) lines.push(`  ${ids.of(e.from)} ${arrow(e)} ${ids.of(e.to)}`);
  return lines.join("\n") + "\n";
}

function shape(n: ViewNode): string {
  const text = quote(n.detail ? `${n.label}<br/>${n.detail}${n.interrupt ? ` · ⏸ ${n.interrupt}` : ""}` : n.label);
  switch (n.kind) {
    case "start":
    case "end":
      return `([${text}])`;
    case "router":
      return `{${text}}`;
    case "join":
      return `{{${text}}}`;
    case "interrupt":
      return `[/${text}/]`;
    case "subgraph":
    case "subagent":
    case "agent_ref":
    case "graph_ref":
      return `[[${text}]]`;
    case "agent":
      return `(${text})`;
    default:
      return `[${text}]`;
  }
}

function arrow(e: ViewEdge): string {
  const label = e.label !== undefined ? `|${quote(e.label)}|` : "";
  switch (e.kind) {
    case "send":
    case "on_error":
    case "calls":
      return `-.->${label}`;
    case "join":
    case "barrier":
      return `==>${label}`;
    default:
      return `-->${label}`;
  }
}

/** A quoted Mermaid label; `"`, `<`, `>` (outside the `<br/>` we add) and `#` as entity codes. */
function quote(text: string): string {
  const escaped = text
    .replace(/#/g, "#35;")
    .replace(/"/g, "#quot;")
    .replace(/<(?!br\/>)/g, "#lt;")
    .replace(/(?<!<br\/)>/g, "#gt;");
  return `"${escaped}"`;
}

/** Mermaid ids: letters, digits and `_` only, never a keyword such as `end`; stable and unique. */
class MermaidIds {
  private readonly map = new Map<string, string>();
  private readonly used = new Set<string>();

  of(id: string): string {
    let m = this.map.get(id);
    if (m) return m;
    const base = "n_" + id.replace(/[^A-Za-z0-9_]/g, "_");
    m = base;
    for (let i = 2; this.used.has(m); i++) m = `${base}_${i}`;
    this.map.set(id, m);
    this.used.add(m);
    return m;
  }
}
