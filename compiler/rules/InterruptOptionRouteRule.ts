/**
 * Every option of an `interrupt` node that routes by label has a route
 * (`language.md` §2.4: the answer "selects the route of the same label"). A node with
 * `options [..]` and a `routes { label -> target }` block of labels only (no `when`, no
 * `else`) would accept an answer it cannot route, and the run would fail only once a
 * person picks it: `E-rag-interrupt-option-unrouted`, reported at the option. A route
 * label no option names can never be taken: `W-rag-interrupt-route-unused`, at the label.
 */
import type * as A from "../../grammar/rag/ast.js";
import type { Rule } from "./rule.js";

export const InterruptOptionRouteRule: Rule = (ctx) => ({
  node(n) {
    if (n.kind !== "interrupt") return;
    const options = n.items.get("options")?.value.items ?? [];
    const routes = n.items.get("routes");
    if (!options.length || !routes) return;
    if (routes.routes.some((r) => r.kind !== "LabelRoute")) return; // `when`/`else` routes take what labels do not
    const labels = new Map<string, A.LabelRoute>();
    for (const r of routes.routes) if (r.kind === "LabelRoute" && !labels.has(r.label.name)) labels.set(r.label.name, r);
    const named = new Set<string>();
    for (const o of options) {
      const name = o.kind === "String" ? o.value : o.kind === "Word" ? o.name : undefined;
      if (name === undefined) continue;
      named.add(name);
      if (labels.has(name)) continue;
      ctx.report("E-rag-interrupt-option-unrouted", `option ${JSON.stringify(name)} of interrupt node \`${n.name}\` has no route`, o.span, {
        label: "no route for this answer",
        labels: [{ span: routes.keyword.span, message: "routes here" }],
        help: `add \`${/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : JSON.stringify(name)} -> <node>\` to \`routes\`, an \`else -> <node>\` route, or remove the option`,
      });
    }
    for (const [label, r] of labels) {
      if (named.has(label)) continue;
      ctx.report("W-rag-interrupt-route-unused", `route \`${label}\` of interrupt node \`${n.name}\` is not one of its options, so no answer can take it`, r.label.span, {
        label: "no option selects this route",
        help: `add ${JSON.stringify(label)} to \`options\`, or remove the route`,
      });
    }
  },
});
