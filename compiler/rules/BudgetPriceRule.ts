/**
 * A `usd` budget needs a priced model (`language.md` §2.1, §2.3): the budget middleware
 * fails closed on a model call under a USD limit when the model has no price, so every
 * run fails at that node's first call. `E-rag-budget-unpriced` names the node (or inline
 * agent), the model and where the USD limit comes from: the node's own `budget`, the
 * graph's `budget` (or its `per_node`, or `defaults { budget }`), or the inline agent's.
 *
 * Only models the registry knows to be unpriced are reported (`RegistryView.modelPrice`
 * returns null); a registry or snapshot that says nothing about prices is not checked.
 */
import type * as A from "../../grammar/rag/ast.js";
import type { ResolvedGraph } from "../resolve/resolve.js";
import type { Rule, RuleContext } from "./rule.js";

/** The `usd` entry of a budget block (or of its `per_node`), if any. */
function usdIn(b: A.Block | A.BooleanLiteral | undefined): A.BlockEntry | undefined {
  if (!b || b.kind !== "Block") return undefined;
  for (const e of b.entries) {
    if (e.key.name === "usd") return e;
    if (e.key.name === "per_node" && e.value.kind === "Block") {
      const inner = usdIn(e.value);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** The graph's USD limit: `budget { usd }` (or `per_node { usd }`), or `defaults { budget { usd } }`. */
function graphUsd(g: ResolvedGraph): A.BlockEntry | undefined {
  for (const c of g.configs) {
    if (c.config === "budget") {
      const e = usdIn(c.value);
      if (e) return e;
    }
    if (c.config === "defaults") {
      for (const d of c.value.entries) if (d.key.name === "budget" && d.value.kind === "Block") {
        const e = usdIn(d.value);
        if (e) return e;
      }
    }
  }
  return undefined;
}

function check(ctx: RuleContext, owner: string, model: A.BindingItem, limit: A.BlockEntry, where: string): void {
  const name = model.value.value;
  if (ctx.registry?.modelPrice?.(name) !== null) return;
  ctx.report("E-rag-budget-unpriced", `${owner} runs under a \`usd\` budget (${where}), but model \`${name}\` has no price, so its first call fails the run`, model.value.span, {
    label: "a model without a price",
    labels: [{ span: limit.span, message: "USD limit" }],
    help: `declare \`price: { inputPerMTok, outputPerMTok }\` for \`${name}\` in rag.config.ts, bind a priced model, or limit \`tokens\` instead of \`usd\``,
  });
}

export const BudgetPriceRule: Rule = (ctx) => {
  if (!ctx.registry?.modelPrice) return {};
  // Each graph's USD limit, found once (it was looked up again for every model node and, for every inline agent, in every graph).
  const usdOf = new Map<ResolvedGraph, A.BlockEntry | undefined>();
  const graphUsdOnce = (g: ResolvedGraph) => {
    if (!usdOf.has(g)) usdOf.set(g, graphUsd(g));
    return usdOf.get(g);
  };
  return {
    node(n, g) {
      const m = n.items.get("model");
      if (!m || n.modelMeaning !== "model" || !(n.kind === "model" || n.kind === "agent" || n.kind === "subagent" || n.kind === "repl_agent")) return;
      const own = usdIn(n.items.get("budget")?.value);
      const graph = own ? undefined : graphUsdOnce(g);
      const limit = own ?? graph;
      if (limit) check(ctx, `node \`${n.name}\``, m, limit, own ? "its own `budget`" : `graph \`${g.name}\`'s \`budget\``);
    },
    agent(a) {
      const m = a.items.get("model");
      if (!m) return;
      const own = usdIn(a.items.get("budget")?.value);
      // An inline agent runs in any graph of the file: a graph-level USD limit of any of them applies.
      let limit = own;
      for (const g of ctx.program.graphs) limit ??= graphUsdOnce(g);
      if (limit) check(ctx, `agent \`${a.name}\``, m, limit, own ? "its own `budget`" : "a graph's `budget`");
    },
  };
};
