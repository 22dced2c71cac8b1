/**
 * Every graph has exactly one entry: a `start` item or `START -> x` edges, naming
 * nodes that exist (`language.md` §2.1, §5: missing/unknown start).
 */
import type { EdgeItem } from "../../grammar/rag/ast.js";
import { didYouMean } from "../../grammar/suggest.js";
import type { Span } from "../../grammar/span.js";
import type { ResolvedGraph } from "../resolve/resolve.js";
import type { Rule, RuleContext } from "./rule.js";
import { nameList } from "./name-list.js";

const fromStart = (e: EdgeItem): boolean => e.refs[0]?.name === "START";

export const StartRule: Rule = (ctx) => ({
  graph(g) {
    if (!g.name) return;
    if (g.starts.length === 0 && !g.edges.some(fromStart)) {
      const only = g.nodes.size === 1 ? [...g.nodes.keys()][0] : undefined;
      const firstItem = g.decl.items[0];
      const indent = firstItem ? " ".repeat(Math.max(0, firstItem.span.start.column - 1)) : "";
      const at = firstItem ? { start: firstItem.span.start, end: firstItem.span.start } : undefined;
      ctx.report("E-rag-missing-start", `graph \`${g.name}\` has no start node`, g.decl.name.span, {
        label: "no `start` item or `START -> …` edge",
        help: only ? `add \`start ${only}\`` : g.nodes.size ? "add `start NODE` naming the node that runs first" : "declare a node and a `start` item",
        fixes: only && at ? [{ span: at, replacement: `start ${only}\n${indent}`, description: `add \`start ${only}\`` }] : [],
      });
      return;
    }
    for (let i = 1; i < g.starts.length; i++) {
      const extra = g.starts[i]!;
      ctx.report("E-rag-duplicate-start", `graph \`${g.name}\` has more than one \`start\` item`, extra.keyword.span, {
        labels: [{ span: g.starts[0].keyword.span, message: "first `start` here" }],
        help: "use `START -> a` edges for several entry nodes",
      });
    }
    // (No list per start item: this runs once per graph, 20,000 times in a file of small graphs.)
    for (const s of g.starts) {
      if (s.target) unknownStart(ctx, g, s.target);
      else for (const r of s.routes?.routes ?? []) unknownStart(ctx, g, r.target);
    }
  },
});

/** `E-rag-unknown-start` when start target `t` names no node of `g`. */
function unknownStart(ctx: RuleContext, g: ResolvedGraph, t: { readonly name: string; readonly span: Span }): void {
  if (!t.name || t.name === "END" || g.nodes.has(t.name)) return;
  const suggestion = didYouMean(t.name, g.nodes.keys());
  ctx.report("E-rag-unknown-start", `start node \`${t.name}\` does not exist`, t.span, {
    label: "no node with this name",
    ...(suggestion
      ? { help: `did you mean \`${suggestion}\`?`, fixes: [{ span: t.span, replacement: suggestion, description: `replace \`${t.name}\` with \`${suggestion}\`` }] }
      : { help: g.nodes.size ? `declare \`node ${t.name} { … }\` or start at one of: ${nameList(g.nodes.keys(), g.nodes.size)}` : `declare \`node ${t.name} { … }\`` }),
  });
}
