/**
 * Every node reference names a node of the graph (`E-rag-unknown-node`, with
 * did-you-mean): `next`, route and `goto` targets, both ends of edges, join sources and
 * targets, `sources`, `on_error`, `join X` and `interrupt before/after` lists. `END` may
 * be a target, never a source; `START` only starts an edge (`language.md` §2.1, §2.3).
 */
import { checkNodeRef } from "./helpers.js";
import type { Rule } from "./rule.js";

export const NodeTargetsRule: Rule = (ctx) => ({
  graph(g) {
    for (const e of g.edges) {
      e.refs.forEach((r, i) => {
        if (i === 0 && r.name === "START") return;
        if (i < e.refs.length - 1 && r.name === "END") {
          ctx.report("E-rag-unknown-node", "`END` cannot be the source of an edge", r.span, { label: "nothing runs after `END`" });
          return;
        }
        checkNodeRef(ctx, g, r, i === 0 ? "edge source" : "edge target");
      });
    }
    for (const j of g.joinEdges) {
      for (const s of j.sources) checkNodeRef(ctx, g, s, "join source", false);
      checkNodeRef(ctx, g, j.target, "join target");
    }
    for (const it of g.interrupts) for (const n of it.nodes) checkNodeRef(ctx, g, n, `\`interrupt ${it.when}\` node`, false);
  },
  node(n, g) {
    const next = n.items.get("next");
    for (const t of next?.targets ?? []) checkNodeRef(ctx, g, t, "`next` target");
    for (const r of n.items.get("routes")?.routes ?? []) checkNodeRef(ctx, g, r.target, "route target");
    const cmd = n.items.get("command");
    if (cmd?.goto && !cmd.parent) checkNodeRef(ctx, g, cmd.goto, "`goto` target");
    const join = n.items.get("join");
    if (join) checkNodeRef(ctx, g, join.target, "join target");
    const onError = n.items.get("on_error");
    if (onError) checkNodeRef(ctx, g, onError.target, "`on_error` target");
    for (const v of n.items.get("sources")?.value.items ?? []) {
      if (v.kind === "Word" || v.kind === "String") {
        const name = v.kind === "Word" ? v.name : v.value;
        checkNodeRef(ctx, g, { kind: "NodeRef", name, span: v.span }, "join source", false);
      }
    }
  },
});
