/**
 * Models named by `model "x"` are registered (`E-rag-unknown-model`). On a subgraph
 * node `model` names the graph and on a router node the route function (§6), so those
 * are checked by KnownGraphRule and KnownRouteFunctionRule instead.
 */
import { listNames } from "../resolve/resolve.js";
import { checkName } from "./known-names.js";
import type { Rule } from "./rule.js";

export const KnownModelRule: Rule = (ctx) => ({
  node(n) {
    // checkName judges only against the registry's models: without them there is nothing
    // to check, and the owner's name is not spelled (this runs for every node)
    if (!ctx.registry || ctx.registry.models === null || ctx.registry.models === undefined) return;
    const m = n.items.get("model");
    if (m && n.modelMeaning === "model") checkName(ctx, m.value.value, m.value.span, { granted: ctx.registry?.models, code: "E-rag-unknown-model", noun: "model", owner: `node \`${n.name}\`` });
    for (const x of listNames(n.items.get("models")?.value)) checkName(ctx, x.name, x.span, { granted: ctx.registry?.models, code: "E-rag-unknown-model", noun: "model", owner: `node \`${n.name}\`` });
  },
  agent(a) {
    const m = a.items.get("model");
    if (m) checkName(ctx, m.value.value, m.value.span, { granted: ctx.registry?.models, code: "E-rag-unknown-model", noun: "model", owner: `agent \`${a.name}\`` });
  },
});
