/**
 * `budget { tokens: 50k, usd: 2.00 }` on a graph or a node (`language.md` §2.1, §2.3):
 * the keys are `tokens` and `usd` (a graph's also `per_node { … }`), each a positive
 * number. Anything else would silently leave spending unlimited, so a bad value is an
 * error (`E-rag-invalid-budget`) and an unknown key a warning (`W-rag-unknown-key`).
 */
import type * as A from "../../grammar/rag/ast.js";
import { didYouMean } from "../../grammar/suggest.js";
import type { Rule, RuleContext } from "./rule.js";

function checkBudget(ctx: RuleContext, b: A.Block | A.BooleanLiteral, graph: boolean): void {
  if (b.kind !== "Block") {
    ctx.report("E-rag-invalid-budget", "`budget` takes a block: `budget { tokens: 50k, usd: 2.00 }`", b.span, { label: "not a block" });
    return;
  }
  const keys = graph ? ["tokens", "usd", "per_node"] : ["tokens", "usd"];
  for (const e of b.entries) {
    const k = e.key.name;
    if (k === "per_node" && graph) {
      if (e.value.kind === "Block") checkBudget(ctx, e.value, false);
      else ctx.report("E-rag-invalid-budget", "`per_node` takes a block: `per_node { tokens: 4k }`", e.value.span, { label: "not a block" });
      continue;
    }
    if (!keys.includes(k)) {
      const s = didYouMean(k, keys);
      ctx.report("W-rag-unknown-key", `\`${k}\` is not a budget setting`, e.key.span, { label: "ignored", help: s ? `did you mean \`${s}\`?` : `budget settings: ${keys.join(", ")}` });
      continue;
    }
    if (e.value.kind !== "Number" || !(e.value.value > 0) || (k === "tokens" && !Number.isInteger(e.value.value))) {
      ctx.report("E-rag-invalid-budget", `budget \`${k}\` must be a positive ${k === "tokens" ? "integer (e.g. `50k`)" : "number of USD (e.g. `2.00`)"}`, e.value.span, { label: "invalid limit" });
    }
  }
}

export const BudgetRule: Rule = (ctx) => ({
  graph(g) {
    for (const c of g.configs) {
      if (c.config === "budget") checkBudget(ctx, c.value, true);
      if (c.config === "defaults") for (const e of c.value.entries) if (e.key.name === "budget" && e.value.kind === "Block") checkBudget(ctx, e.value, true);
    }
  },
  node(n) {
    const b = n.items.get("budget");
    if (b) checkBudget(ctx, b.value, false);
  },
});
