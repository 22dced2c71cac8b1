/**
 * Every option of an `interrupt` node that routes by label has a route
 * (`language.md` §2.4: the answer "selects the route of the same label"). A node with
 * `options [..]` and a `routes { label -> target }` block of labels only (no `when`, no
 * `else`) would accept an answer it cannot route, and the run would fail only once a
 * person picks it: `E-rag-interrupt-option-unrouted`, reported at the option. A route
 * label no option names can never be taken: `W-rag-interrupt-route-unused`, at the label;
 * when it is a near miss of an option that has no route (`aprove` for "approve"), both
 * diagnostics say so, and the warning's fix renames the label.
 */
import type * as A from "../../grammar/rag/ast.js";
import { didYouMean } from "../../grammar/suggest.js";
import type { Rule } from "./rule.js";

/** What a route label can spell (a name). */
const LABEL = /^[A-Za-z_][A-Za-z0-9_]*$/;

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
      if (name !== undefined) named.add(name);
    }
    // Options without a route that a label may be a typo of: only names a label can spell.
    const unrouted = [...named].filter((name) => !labels.has(name) && LABEL.test(name));
    const unused = [...labels.keys()].filter((label) => !named.has(label));
    // What each unused label may be a typo of, searched once (each search draws on the compile's suggestion budget).
    const meantBy = new Map(unused.map((label) => [label, didYouMean(label, unrouted)]));
    for (const o of options) {
      const name = o.kind === "String" ? o.value : o.kind === "Word" ? o.name : undefined;
      if (name === undefined || labels.has(name)) continue;
      const typo = LABEL.test(name) ? unused.find((label) => meantBy.get(label) === name) : undefined;
      ctx.report("E-rag-interrupt-option-unrouted", `option ${JSON.stringify(name)} of interrupt node \`${n.name}\` has no route`, o.span, {
        label: "no route for this answer",
        labels: typo === undefined ? [{ span: routes.keyword.span, message: "routes here" }] : [{ span: labels.get(typo)!.label.span, message: `did you mean \`${name}\` here?` }],
        help: typo !== undefined
          ? `route \`${typo}\` looks meant for it: rename it \`${name}\``
          : `add \`${LABEL.test(name) ? name : JSON.stringify(name)} -> <node>\` to \`routes\`, an \`else -> <node>\` route, or remove the option`,
      });
    }
    for (const label of unused) {
      const r = labels.get(label)!;
      const meant = meantBy.get(label);
      ctx.report("W-rag-interrupt-route-unused", `route \`${label}\` of interrupt node \`${n.name}\` is not one of its options, so no answer can take it`, r.label.span, {
        label: "no option selects this route",
        ...(meant !== undefined
          ? { help: `did you mean \`${meant}\`? (option ${JSON.stringify(meant)} has no route)`, fixes: [{ span: r.label.span, replacement: meant, description: `replace \`${label}\` with \`${meant}\`` }] }
          : { help: `add ${JSON.stringify(label)} to \`options\`, or remove the route` }),
      });
    }
  },
});
