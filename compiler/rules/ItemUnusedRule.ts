/**
 * An item that the node's kind does not use is `W-rag-item-unused` (`language.md` §2.3:
 * an item that the node's kind does not use, e.g. `prompt` on a `set` node, is a
 * warning, not an error). The reference dialect put any item on any kind, so this is
 * never an error (compat README). Items every kind uses — routing, `send`/`join`,
 * policies (`retry`, `timeout`, `on_error`, `checkpoint`), `metadata`, `tags`, `set`,
 * `steering`, and the branch flags `blocking`/`optional` (`runtime.md` §2: any branch may
 * run detached or be optional, whatever its kind) — are never reported; custom (registry)
 * kinds are not checked. `cache` keeps model replies (stdlib/middleware/cache.ts), so it
 * belongs to the kinds that make model calls; so does `budget`, which caps the model calls
 * of the node's own task (stdlib/middleware/budget.ts charges each call to the node that
 * makes it): on a `set`, `tool`, `interrupt`, `join` or `tool_executor` node nothing is
 * charged, and a `subgraph` node's child run charges its own nodes (and graph budgets).
 *
 * `tools` and `approve` belong to `model` nodes too: the model is offered the tools, and
 * the `tool_executor` its `tool_call` route reaches runs them, each `approve` call gated
 * (LangGraph's ReAct shape: a model with bound tools, then a ToolNode). The warning told
 * authors to remove an `approve` that was gating calls.
 *
 * Reference meanings kept (§6): `model` names the graph of a subgraph node and the
 * route function of a router node, and is an extra model binding on subagent and
 * repl_agent nodes; `system` is an alias of `prompt` on an interrupt node.
 */
import type { NodeKind } from "../blueprint.js";
import type { Rule } from "./rule.js";

/** Items any kind may carry. */
export const COMMON_ITEMS: ReadonlySet<string> = new Set([
  "kind", "next", "routes", "send", "sends", "join", "command", "retry", "timeout", "on_error",
  "checkpoint", "metadata", "tags", "set", "steering", "defer", "blocking", "optional",
]);

/** Items each built-in kind uses, beyond COMMON (`language.md` §2.4, §6). */
export const KIND_ITEMS: Readonly<Record<NodeKind, readonly string[]>> = {
  model: ["model", "system", "prompt", "tools", "output", "writes", "validate", "input", "approve", "attach", "cache", "budget"],
  agent: ["model", "system", "prompt", "tools", "output", "writes", "validate", "max_steps", "input", "approve", "attach", "cache", "budget"],
  tool_executor: ["tools", "writes", "approve"],
  tool: ["tool", "input", "writes", "approve"],
  router: ["route", "model", "cache", "budget"],
  set: ["writes"],
  subgraph: ["graph", "model", "input", "writes", "persistent", "cache"],
  subagent: ["agent", "model", "input", "writes", "max_steps", "cache", "budget"],
  interrupt: ["prompt", "system", "options", "writes", "resume"],
  join: ["sources", "writes"],
  repl_agent: ["model", "script", "tools", "models", "agents", "graphs", "system", "prompt", "input", "output", "writes", "max_steps", "approve", "cache", "budget"],
};

/** What the help adds for an item, after the kinds that use it. */
const WHY: Readonly<Record<string, string>> = {
  budget: " (it caps the model calls of the node's own task; a child graph's calls are charged to that graph's `budget`)",
};

/** Where the item belongs instead, for the help text. */
function usedBy(keyword: string): string[] {
  return Object.entries(KIND_ITEMS)
    .filter(([, items]) => items.includes(keyword))
    .map(([k]) => k);
}

/** Per built-in kind, every item it may carry (COMMON_ITEMS and its KIND_ITEMS): one lookup per item. */
const ALLOWED: ReadonlyMap<string, ReadonlySet<string>> = new Map(Object.entries(KIND_ITEMS).map(([kind, items]) => [kind, new Set([...COMMON_ITEMS, ...items])]));

export const ItemUnusedRule: Rule = (ctx) => ({
  node(n) {
    const allowed = ALLOWED.get(n.kind);
    if (!allowed) return;
    // The item table's keywords ("" for an unknown item), not each item's keyword node:
    // this runs for every item of every node.
    const items = n.items.items;
    for (let i = 0; i < items.length; i++) {
      const k = n.items.keywordAt(i);
      if (!k || allowed.has(k)) continue;
      const item = items[i] as Exclude<(typeof items)[number], { kind: "UnknownItem" }>;
      const kinds = usedBy(k);
      const written = n.kindItem ? `a \`${n.kindItem.value.name}\` node` : `a \`${n.kind}\` node (the kind inferred for it)`;
      ctx.report("W-rag-item-unused", `\`${k}\` has no effect on ${written}`, item.keyword.span, {
        label: `not used by \`${n.kind}\` nodes`,
        help: kinds.length ? `\`${k}\` is used by ${kinds.map((x) => `\`${x}\``).join(", ")} nodes${WHY[k] ?? ""}; change \`kind\`, or remove the item` : `remove the item`,
      });
    }
  },
});
