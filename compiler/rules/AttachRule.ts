/**
 * `attach { image: …, file: … }` (`language.md` §5.1): its keys are the part kinds
 * `image` and `file` (`E-rag-invalid-attach`, with did-you-mean), each at most once.
 * Whether the item applies to the node's kind is ItemUnusedRule's (model and agent nodes);
 * an inline `agent NAME { … }` block takes it too (its first user message carries the parts).
 */
import { didYouMean } from "../../grammar/suggest.js";
import type { ItemTable } from "../resolve/resolve.js";
import type { Rule, RuleContext } from "./rule.js";

const PART_KINDS = ["image", "file"] as const;

function check(ctx: RuleContext, items: ItemTable): void {
  const attach = items.get("attach");
  if (!attach) return;
  const seen = new Set<string>();
  for (const e of attach.value.entries) {
    const k = e.key.name;
    if (!(PART_KINDS as readonly string[]).includes(k)) {
      const s = didYouMean(k, PART_KINDS);
      ctx.report("E-rag-invalid-attach", `\`attach\` takes \`image\` and \`file\` parts, not \`${k}\``, e.key.span, {
        label: "not a part kind",
        help: s ? `did you mean \`${s}\`?` : "write `attach { image: state.photo_url, file: state.contract }`; a value may be a list",
        ...(s ? { fixes: [{ span: e.key.span, replacement: s, description: `replace \`${k}\` with \`${s}\`` }] } : {}),
      });
    } else if (seen.has(k)) {
      ctx.report("E-rag-invalid-attach", `\`${k}\` appears twice in \`attach\``, e.key.span, { label: "second entry", help: `give one entry a list: \`${k}: [state.a, state.b]\`` });
    }
    seen.add(k);
  }
}

export const AttachRule: Rule = (ctx) => ({
  node(n) {
    check(ctx, n.items);
  },
  agent(a) {
    check(ctx, a.items);
  },
});
