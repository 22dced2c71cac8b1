/**
 * `approve [..]` names tools the node (or inline agent) can call (`language.md` §2.3):
 * its `tools` list, or a node's `tool` binding. Approval is a gate on calls the node is already allowed to make,
 * never a grant, so a name outside them is a typo or a misunderstanding
 * (`E-rag-approve-unbound-tool`, with did-you-mean).
 */
import { didYouMean } from "../../grammar/suggest.js";
import type { ResolvedAgent } from "../resolve/resolve.js";
import type { Rule } from "./rule.js";

export const ApproveToolRule: Rule = (ctx) => ({
  node(n) {
    check(ctx, n.name, "node", n.items);
  },
  // An inline agent's `approve` gates its calls wherever it runs (a send, a subagent node).
  agent(a) {
    check(ctx, a.name, "agent", a.items);
  },
});

function check(ctx: Parameters<Rule>[0], owner: string, what: "node" | "agent", items: ResolvedAgent["items"]): void {
  const approve = items.get("approve");
  if (!approve) return;
  const bound = [...(items.get("tools")?.value.items ?? []).flatMap((v) => (v.kind === "String" ? [v.value] : v.kind === "Word" ? [v.name] : [])), ...(items.get("tool") ? [items.get("tool")!.value.value] : [])];
  for (const v of approve.value.items) {
    const name = v.kind === "String" ? v.value : v.kind === "Word" ? v.name : undefined;
    if (name === undefined || bound.includes(name)) continue;
    const s = didYouMean(name, bound);
    ctx.report("E-rag-approve-unbound-tool", `\`approve\` names tool \`${name}\`, which ${what} \`${owner}\` does not call`, v.span, {
      label: `not in this ${what}'s \`tools\`${what === "node" ? "/`tool`" : ""}`,
      help: s ? `did you mean \`${s}\`?` : "approval gates the calls a node may already make; add the tool to `tools` (and its `allow` list) first — approval never grants a tool",
      ...(s ? { fixes: [{ span: v.span, replacement: JSON.stringify(s), description: `replace with \`${s}\`` }] } : {}),
    });
  }
}
