/**
 * A node of a kind that runs a named capability must name it (`E-rag-missing-binding`):
 * `subagent` → `agent`, `subgraph` → `graph` (or the reference `model`), `tool` → `tool`
 * (or `tools`). A node is never bound by its own name — the binding the runtime uses is
 * exactly the one the compiler checked, listed in the blueprint's capabilities and hashed
 * (issue "Grants that hold": a node named after a registered agent ran that agent while
 * `rag approve` showed nothing).
 */
import { appendItemFix } from "./insert.js";
import type { Rule } from "./rule.js";

const REQUIRED: Readonly<Record<string, { readonly items: readonly string[]; readonly item: string; readonly noun: "agent" | "graph" | "tool" }>> = {
  subagent: { items: ["agent"], item: "agent", noun: "agent" },
  subgraph: { items: ["graph", "model"], item: "graph", noun: "graph" },
  tool: { items: ["tool", "tools"], item: "tool", noun: "tool" },
};

export const MissingBindingRule: Rule = (ctx) => ({
  node(n) {
    const need = Object.hasOwn(REQUIRED, n.kind) ? REQUIRED[n.kind] : undefined;
    if (!need || need.items.some((i) => n.items.has(i as never))) return;
    const known =
      need.noun === "agent" ? ctx.program.agents.has(n.name) || (ctx.registry?.agents?.has(n.name) ?? false)
      : need.noun === "graph" ? ctx.program.graphByName.has(n.name) || (ctx.registry?.graphs?.has(n.name) ?? false)
      : ctx.registry?.tools?.has(n.name) ?? false;
    const decl = n.decl;
    const lastEnd = decl.items.length ? decl.items[decl.items.length - 1].span.end.offset : decl.name.span.end.offset + 2;
    const fix = known ? appendItemFix(ctx, decl.span, lastEnd, `${need.item} "${n.name}"`, `bind ${need.noun} \`${n.name}\` explicitly`) : undefined;
    ctx.report("E-rag-missing-binding", `${n.kind} node \`${n.name}\` names no ${need.noun} to run`, decl.name.span, {
      label: `no \`${need.item}\` item`,
      help: known
        ? `a node is not bound by its name: add \`${need.item} "${n.name}"\` to run the ${need.noun} \`${n.name}\``
        : `add \`${need.item} "NAME"\` naming the ${need.noun} this node runs`,
      ...(fix ? { fixes: [fix] } : {}),
    });
  },
});
