/**
 * A node with no outgoing route ends its branch (`language.md` §2.3): legal, but often
 * a forgotten `next`, so it is `W-rag-implicit-end` with the fix `next END`. Not for
 * nodes reached only by `send`, whose branches end there by design, nor for unreachable
 * nodes (`W-rag-unreachable-node` already covers them).
 */
import { flowGraph } from "../analysis/flow.js";
import { parentGotoTargets } from "../analysis/parent-goto.js";
import { appendItemFix } from "./insert.js";
import type { Rule } from "./rule.js";
import type { Ast } from "../../grammar/index.js";
import { isFirstDeclaration } from "../resolve/resolve.js";

export const ImplicitEndRule: Rule = (ctx) => ({
  graph(g) {
    const flow = flowGraph(g);
    if (!flow.hasEntry) return;
    const continued = parentGotoTargets(ctx.program, g); // its subgraph continues the run here with `goto parent.X`
    for (let ni = 0, nl = g.nodeList; ni < nl.length; ni++) {
      const n = nl[ni]!;
      if (!isFirstDeclaration(g, n) || flow.routed.has(n.name) || !flow.reachable.has(n.name) || continued.has(n.name)) continue;
      const into = flow.into.get(n.name) ?? [];
      if (into.length && into.every((e) => e.kind === "send")) continue;
      const fix = bodyIsIntact(ctx.source, n.decl) ? appendItemFix(ctx, n.decl.span, lastItemEnd(ctx.source, n.decl), "next END", `add \`next END\` to node \`${n.name}\``) : undefined;
      ctx.report("W-rag-implicit-end", `node \`${n.name}\` has no route, so its branch ends after it`, n.decl.name.span, {
        label: "no `next`, `routes`, `goto` or edge",
        help: "write `next END` to end here on purpose, or route it to the node that should run next",
        ...(fix ? { fixes: [fix] } : {}),
      });
    }
  },
});

/**
 * Whether `next END` appended to the body would parse as an item: the body opens with
 * `{` right after the name and no item was swallowed by recovery (a junk item such as
 * `node a [ next END }` would swallow the inserted text too, so the fix would apply
 * forever without removing the warning — issue 10 §3).
 */
function bodyIsIntact(src: string, decl: Ast.NodeDecl): boolean {
  const open = src.indexOf("{", decl.name.span.end.offset);
  if (open < 0 || !/^\s*$/.test(src.slice(decl.name.span.end.offset, open))) return false;
  return !decl.items.some((i) => i.kind === "UnknownItem");
}

function lastItemEnd(src: string, decl: Ast.NodeDecl): number {
  return Math.max(src.indexOf("{", decl.name.span.end.offset) + 1, ...decl.items.map((i) => i.span.end.offset));
}
