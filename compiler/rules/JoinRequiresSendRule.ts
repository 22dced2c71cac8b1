/**
 * `join X` on a node waits for the branches of that node's fan-out, so it requires a
 * `send` in the same node (`language.md` §2.3).
 */
import type { Rule } from "./rule.js";

export const JoinRequiresSendRule: Rule = (ctx) => ({
  node(n) {
    const join = n.items.get("join");
    if (!join || n.sends.length > 0) return;
    ctx.report("E-rag-join-without-send", `\`join ${join.target.name}\` on node \`${n.name}\` has no fan-out to wait for`, join.keyword.span, {
      label: "no `send` in this node",
      help: "add `send [ … ]` to this node, or use a top-level `join [a, b] -> x` barrier, or `next` for a plain successor",
    });
  },
});
