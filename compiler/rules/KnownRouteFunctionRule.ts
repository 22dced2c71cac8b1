/**
 * Route functions named by `route "fn"` (or `model "fn"` on a router node, §6) are
 * registered (`E-rag-unknown-route-function`).
 */
import { checkName } from "./known-names.js";
import type { Rule } from "./rule.js";

export const KnownRouteFunctionRule: Rule = (ctx) => ({
  node(n) {
    const r = n.items.get("route") ?? (n.modelMeaning === "route" ? n.items.get("model") : undefined);
    if (r) checkName(ctx, r.value.value, r.value.span, { granted: ctx.registry?.routers, code: "E-rag-unknown-route-function", noun: "route function", owner: `node \`${n.name}\`` });
  },
});
