/**
 * A node with no outgoing route ends its branch (`language.md` §2.3): legal, but often
 * a forgotten `next`, so it is `W-rag-implicit-end` with the fix `next END`. Not for
 * nodes reached only by `send`, whose branches end there by design, nor for unreachable
 * nodes (`W-rag-unreachable-node` already covers them).
 */
import { flowGraph } from "../analysis/flow.js";
import { appendItemFix } from "./insert.js";
import type { Rule } from "./rule.js";

export const ImplicitEndRule: Rule = (ctx) => ({
  graph(g) {
    const flow = flowGraph(g);
    if (!flow.hasEntry) return;
    for (const n of g.nodeList) {
      if (g.nodes.get(n.name) !== n || flow.routed.has(n.name) || !flow.reachable.has(n.name)) continue;
      const into = flow.into.get(n.name) ?? [];
      if (into.length && into.every((e) => e.kind === "send")) continue;
      const lastItemEnd = Math.max(ctx.source.indexOf("{", n.decl.name.span.end.offset) + 1, ...n.decl.items.map((i) => i.span.end.offset));
      const fix = appendItemFix(ctx, n.decl.span, lastItemEnd, "next END", `add \`next END\` to node \`${n.name}\``);
      ctx.report("W-rag-implicit-end", `node \`${n.name}\` has no route, so its branch ends after it`, n.decl.name.span, {
        label: "no `next`, `routes`, `goto` or edge",
        help: "write `next END` to end here on purpose, or route it to the node that should run next",
        ...(fix ? { fixes: [fix] } : {}),
      });
    }
  },
});
