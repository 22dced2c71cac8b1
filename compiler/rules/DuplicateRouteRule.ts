/**
 * Route labels are unique per node, and a node has at most one `else` route
 * (`language.md` §2.3). Reported at the later route.
 */
import type * as A from "../../grammar/rag/ast.js";
import type { Rule } from "./rule.js";

export const DuplicateRouteRule: Rule = (ctx) => ({
  node(n) {
    const routes = n.items.get("routes")?.routes;
    // one route cannot repeat: no map per node (most nodes have none or `when`/`else` pairs)
    if (!routes || routes.length < 2) return;
    const seen = new Map<string, A.LabelRoute>();
    let elseRoute: A.ElseRoute | undefined;
    for (const r of routes) {
      if (r.kind === "LabelRoute") {
        const prev = seen.get(r.label.name);
        if (!prev) seen.set(r.label.name, r);
        else
          ctx.report("E-rag-duplicate-route", `route label \`${r.label.name}\` appears twice on node \`${n.name}\``, r.label.span, {
            label: "duplicate label",
            labels: [{ span: prev.label.span, message: "first used here" }],
            help: "each label must lead to one target; remove or rename one",
          });
      } else if (r.kind === "ElseRoute") {
        if (elseRoute) ctx.report("E-rag-duplicate-route", `node \`${n.name}\` has more than one \`else\` route`, r.span, { labels: [{ span: elseRoute.span, message: "first `else` here" }] });
        else elseRoute = r;
      }
    }
  },
});
