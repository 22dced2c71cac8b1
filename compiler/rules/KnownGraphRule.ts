/**
 * Subgraphs named by `graph "x"` (or `model "x"` on a subgraph node, §6) are graphs of
 * the file or registered (`E-rag-unknown-graph`).
 */
import { listNames } from "../resolve/resolve.js";
import { checkName } from "./known-names.js";
import type { Rule } from "./rule.js";

export const KnownGraphRule: Rule = (ctx) => ({
  node(n) {
    const g = n.items.get("graph") ?? (n.modelMeaning === "graph" ? n.items.get("model") : undefined);
    if (g) checkName(ctx, g.value.value, g.value.span, { granted: ctx.registry?.graphs, local: ctx.program.graphByName, code: "E-rag-unknown-graph", noun: "graph", owner: `node \`${n.name}\`` });
    for (const x of listNames(n.items.get("graphs")?.value)) checkName(ctx, x.name, x.span, { granted: ctx.registry?.graphs, local: ctx.program.graphByName, code: "E-rag-unknown-graph", noun: "graph", owner: `node \`${n.name}\`` });
  },
});
