/**
 * `approve [..]` on a `repl_agent` (CodeAct) node cannot pause a script for a person, so
 * the runtime refuses every call of a listed tool from the script (`NodeTask.callTool`
 * without `approved`): the deny-by-default reading of "runs only after a person
 * approved it". The item is not ignored, so it is not `W-rag-item-unused`; it is
 * `W-rag-approve-refuses-script`, saying what really happens (issue 10 audit).
 */
import type { Rule } from "./rule.js";

export const ApproveScriptRule: Rule = (ctx) => ({
  node(n) {
    if (n.kind !== "repl_agent") return;
    const approve = n.items.get("approve");
    if (!approve) return;
    const names = approve.value.items.flatMap((v) => (v.kind === "String" ? [v.value] : v.kind === "Word" ? [v.name] : []));
    if (!names.length) return;
    const list = names.map((x) => `\`${x}\``).join(", ");
    ctx.report("W-rag-approve-refuses-script", `\`approve\` on \`repl_agent\` node \`${n.name}\`: its script's calls of ${list} are refused (a script cannot pause for a person's approval)`, approve.keyword.span, {
      label: "every call of these tools from the script is refused",
      help: "to let a person approve each call, call the tool from an `agent`, `tool_executor` or `tool` node with `approve`; to let the script call it freely, remove it from `approve`",
    });
  },
});
