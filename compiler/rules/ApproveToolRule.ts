/**
 * `approve [..]` names tools the node can call (`language.md` §2.3): its `tools` list, or
 * its `tool` binding. Approval is a gate on calls the node is already allowed to make,
 * never a grant, so a name outside them is a typo or a misunderstanding
 * (`E-rag-approve-unbound-tool`, with did-you-mean).
 */
import { didYouMean } from "../../grammar/suggest.js";
import type { Rule } from "./rule.js";

export const ApproveToolRule: Rule = (ctx) => ({
  node(n) {
    const approve = n.items.get("approve");
    if (!approve) return;
    const bound = [...(n.items.get("tools")?.value.items ?? []).flatMap((v) => (v.kind === "String" ? [v.value] : v.kind === "Word" ? [v.name] : [])), ...(n.items.get("tool") ? [n.items.get("tool")!.value.value] : [])];
    for (const v of approve.value.items) {
      const name = v.kind === "String" ? v.value : v.kind === "Word" ? v.name : undefined;
      if (name === undefined || bound.includes(name)) continue;
      const s = didYouMean(name, bound);
      ctx.report("E-rag-approve-unbound-tool", `\`approve\` names tool \`${name}\`, which node \`${n.name}\` does not call`, v.span, {
        label: "not in this node's `tools`/`tool`",
        help: s ? `did you mean \`${s}\`?` : "approval gates the calls a node may already make; add the tool to `tools` (and its `allow` list) first — approval never grants a tool",
        ...(s ? { fixes: [{ span: v.span, replacement: JSON.stringify(s), description: `replace with \`${s}\`` }] } : {}),
      });
    }
  },
});
