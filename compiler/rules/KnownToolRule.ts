/**
 * Tools named by `tools [..]` and `tool "x"` are registered (`E-rag-unknown-tool`),
 * one diagnostic per unknown tool.
 */
import { listNames, type ItemTable } from "../resolve/resolve.js";
import { checkName } from "./known-names.js";
import type { Rule, RuleContext } from "./rule.js";

function check(ctx: RuleContext, items: ItemTable, owner: string): void {
  for (const t of listNames(items.get("tools")?.value)) checkName(ctx, t.name, t.span, { granted: ctx.registry?.tools, code: "E-rag-unknown-tool", noun: "tool", owner });
  const one = items.get("tool");
  if (one) checkName(ctx, one.value.value, one.value.span, { granted: ctx.registry?.tools, code: "E-rag-unknown-tool", noun: "tool", owner });
}

export const KnownToolRule: Rule = (ctx) => ({
  node(n) {
    // the owner's name is spelled only for a node that names tools (this runs for every node)
    if (n.items.has("tools") || n.items.has("tool")) check(ctx, n.items, `node \`${n.name}\``);
  },
  agent(a) {
    check(ctx, a.items, `agent \`${a.name}\``);
  },
});
