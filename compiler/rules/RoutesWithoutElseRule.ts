/**
 * Routes Without Else: a `routes` block (a node's, or `start routes`) whose `when`
 * conditions may all be false has an `else` route (`language.md` §2.3). Without one, a
 * visit where no condition holds activates nothing: the branch — often the whole run —
 * ends there with no error. Legal, but usually a forgotten fallback, so it is the warning
 * `W-rag-routes-without-else` on the `routes` keyword, with the machine fix `else -> END`
 * (today's behaviour, made explicit). Blocks with labelled routes are left to the label
 * rules: a node that chooses a label never reaches its `when` routes. The run-time side is
 * the `route_selected` event with `via: "none"` (`runtime.md`). LangGraph throws instead
 * when a conditional edge returns no destination (`langgraph-differences.md`).
 */
import type * as A from "../../grammar/rag/ast.js";
import { appendItemFix } from "./insert.js";
import type { Rule, RuleContext } from "./rule.js";

export const RoutesWithoutElseRule: Rule = (ctx) => ({
  graph(g) {
    for (const s of g.starts) if (s.routes) check(ctx, s.routes, "`start routes`", "none of its targets runs");
  },
  node(n) {
    const routes = n.items.get("routes");
    if (routes) check(ctx, routes, `node \`${n.name}\``, "its branch ends after it (the run too, when nothing else is pending)");
  },
});

function check(ctx: RuleContext, routes: A.RoutesItem, who: string, outcome: string): void {
  let whens = 0;
  for (const r of routes.routes) {
    if (r.kind !== "WhenRoute") return; // an `else` covers the rest; a label means the label rules apply
    if (r.condition.kind === "Boolean" && r.condition.value) return; // `when true` is an `else`
    whens++;
  }
  if (!whens) return;
  const last = routes.routes[routes.routes.length - 1]!;
  const fix = appendItemFix(ctx, routes.span, last.span.end.offset, "else -> END", "add `else -> END` to the routes");
  ctx.report("W-rag-routes-without-else", `${who} has \`when\` routes but no \`else\`: when no condition holds, ${outcome}, with no error`, routes.keyword.span, {
    label: "no `else` route",
    help: "add `else -> NODE` for the node to run when no condition holds, or `else -> END` to end there on purpose",
    ...(fix ? { fixes: [fix] } : {}),
  });
}
