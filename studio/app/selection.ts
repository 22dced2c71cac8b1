/** The editor's cursor and the graph's selected node, kept in step both ways. */
import * as monaco from "monaco-core";
import { $, type Studio } from "./context.js";
import { selectNode } from "./graph.js";
import { toRange } from "./language.js";

/** A node clicked in the graph: selects its declaration in the editor and the node. */
export function pickNode(s: Studio, id: string): void {
  const span = s.handle.analysis?.spans[id];
  if (!span) return;
  const r = new monaco.Range(span.start.line, span.start.column, span.start.line, span.start.column);
  s.editor.setSelection(toRange(span));
  s.editor.revealRangeInCenter(r);
  selectNode($("graph"), id);
}

/** Selects the graph node whose declaration holds the cursor (none: clears the selection). */
export function syncSelection(s: Studio): void {
  const a = s.handle.analysis;
  const pos = s.editor.getPosition();
  if (!a || !pos || !s.current) return;
  const offset = s.current.model.getOffsetAt(pos);
  const hit = Object.entries(a.spans).find(([, sp]) => sp.start.offset <= offset && offset <= sp.end.offset);
  selectNode($("graph"), hit?.[0]);
}
