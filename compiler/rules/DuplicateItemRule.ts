/**
 * A node item appears at most once per node or inline agent (two `model` items leave
 * a reader unsure which one runs). Reported at the later item.
 */
import type { ItemTable } from "../resolve/resolve.js";
import type { Rule, RuleContext } from "./rule.js";

function check(ctx: RuleContext, items: ItemTable, owner: string): void {
  if (!items.repeated) return;
  for (const k of items.keywords()) {
    const all = items.all(k as "model");
    for (const dup of all.slice(1)) {
      ctx.report("E-rag-duplicate-item", `\`${k}\` is given more than once on ${owner}`, dup.keyword.span, {
        label: "given again here",
        labels: [{ span: all[0].keyword.span, message: "first given here" }],
        help: k === "send" || k === "sends" ? "put every target in one `send [ … ]` list" : "keep one of them",
      });
    }
  }
}

export const DuplicateItemRule: Rule = (ctx) => ({
  node(n) {
    // the owner's name is spelled only for a table with a repeat (this runs for every node)
    if (n.items.repeated) check(ctx, n.items, `node \`${n.name}\``);
  },
  agent(a) {
    check(ctx, a.items, `agent \`${a.name}\``);
  },
});
