/** Pictures of a Blueprint: a drawable view (JSON), Mermaid and Graphviz DOT. */
import type { Blueprint } from "../blueprint.js";
import { toDot } from "./dot.js";
import { graphView, type GraphViewOptions } from "./graph-view.js";
import { toMermaid } from "./mermaid.js";

export { graphView, type GraphView, type GraphViewOptions, type ViewCluster, type ViewEdge, type ViewEdgeKind, type ViewNode, type ViewNodeKind } from "./graph-view.js";
export { toDot } from "./dot.js";
export { toMermaid } from "./mermaid.js";

export type GraphFormat = "mermaid" | "dot" | "json";
export const GRAPH_FORMATS: readonly GraphFormat[] = ["mermaid", "dot", "json"];

/** `rag graph --format F`: the picture of `bp` as text (JSON is the GraphView, pretty-printed). */
export function exportGraph(bp: Blueprint, format: GraphFormat, options: GraphViewOptions = {}): string {
  const view = graphView(bp, options);
  if (format === "mermaid") return toMermaid(view);
  if (format === "dot") return toDot(view);
  return JSON.stringify(view, null, 2) + "\n";
}
