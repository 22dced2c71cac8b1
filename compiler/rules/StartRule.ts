/**
 * Every graph has exactly one entry: a `start` item or `START -> x` edges, naming
 * nodes that exist (`language.md` §2.1, §5: missing/unknown start).
 */
import type { EdgeItem, Route } from "../../grammar/rag/ast.js";
import { didYouMean } from "../../grammar/suggest.js";
import type { Span } from "../../grammar/span.js";
import type { Rule } from "./rule.js";

const fromStart = (e: EdgeItem): boolean => e.refs[0]?.name === "START";
const routeTarget = (r: Route): { name: string; span: Span } => r.target;

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
    for (const extra of g.starts.slice(1)) {
      ctx.report("E-rag-duplicate-start", `graph \`${g.name}\` has more than one \`start\` item`, extra.keyword.span, {
        labels: [{ span: g.starts[0].keyword.span, message: "first `start` here" }],
        help: "use `START -> a` edges for several entry nodes",
      });
    }
    for (const s of g.starts) for (const t of s.target ? [s.target] : (s.routes?.routes ?? []).map(routeTarget)) {
      if (!t.name || t.name === "END" || g.nodes.has(t.name)) continue;
      const suggestion = didYouMean(t.name, g.nodes.keys());
      ctx.report("E-rag-unknown-start", `start node \`${t.name}\` does not exist`, t.span, {
        label: "no node with this name",
        ...(suggestion
          ? { help: `did you mean \`${suggestion}\`?`, fixes: [{ span: t.span, replacement: suggestion, description: `replace \`${t.name}\` with \`${suggestion}\`` }] }
          : { help: g.nodes.size ? `declare \`node ${t.name} { … }\` or start at one of: ${[...g.nodes.keys()].map((n) => `\`${n}\``).join(", ")}` : `declare \`node ${t.name} { … }\`` }),
      });
    }
  },
});
