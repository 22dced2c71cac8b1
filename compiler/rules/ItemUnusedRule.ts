/**
 * An item that the node's kind does not use is `W-rag-item-unused` (`language.md` §2.3:
 * "an item that the node's kind does not use (e.g. `tools` on a `model` node) is a
 * warning, not an error"). The reference dialect put any item on any kind, so this is
 * never an error (compat README). Items every kind uses — routing, `send`/`join`,
 * policies (`retry`, `timeout`, `cache`, `on_error`, `checkpoint`), `metadata`, `tags`,
 * `set`, `steering` (but `cache` on a kind that makes no model call is reported), and the branch flags `blocking`/`optional` (`runtime.md` §2: any
 * branch may run detached or be optional, whatever its kind) — are never reported; custom
 * (registry) kinds are not checked.
 *
 * Reference meanings kept (§6): `model` names the graph of a subgraph node and the
 * route function of a router node, and is an extra model binding on subagent and
 * repl_agent nodes; `system` is an alias of `prompt` on an interrupt node.
 */
import type { NodeKind } from "../blueprint.js";
import type { ResolvedNode } from "../resolve/resolve.js";
import type { Rule } from "./rule.js";

/** Items any kind may carry. */
export const COMMON_ITEMS: ReadonlySet<string> = new Set([
  "kind", "next", "routes", "send", "sends", "join", "command", "retry", "timeout", "cache", "on_error",
  "checkpoint", "metadata", "tags", "set", "steering", "defer", "budget", "blocking", "optional",
]);

/** Items each built-in kind uses, beyond COMMON (`language.md` §2.4, §6). */
export const KIND_ITEMS: Readonly<Record<NodeKind, readonly string[]>> = {
  model: ["model", "system", "prompt", "output", "writes", "validate", "input", "attach"],
  agent: ["model", "system", "prompt", "tools", "output", "writes", "validate", "max_steps", "input", "approve", "attach"],
  tool_executor: ["tools", "writes", "approve"],
  tool: ["tool", "input", "writes", "approve"],
  router: ["route", "model"],
  set: ["writes"],
  subgraph: ["graph", "model", "input", "writes", "persistent"],
  subagent: ["agent", "model", "input", "writes", "max_steps"],
  interrupt: ["prompt", "system", "options", "writes", "resume"],
  join: ["sources", "writes"],
  repl_agent: ["model", "script", "tools", "models", "agents", "graphs", "system", "prompt", "input", "output", "writes", "max_steps", "approve"],
};

/**
 * Common items that still do nothing on some built-in kinds: `cache` keeps model replies
 * (stdlib/middleware/cache.ts), and these kinds make no model call of their own.
 */
export const COMMON_ITEMS_UNUSED_BY: Readonly<Record<string, readonly NodeKind[]>> = {
  cache: ["set", "tool", "tool_executor", "interrupt", "join"],
};

/** Where the item belongs instead, for the help text. */
function usedBy(keyword: string): string[] {
  return Object.entries(KIND_ITEMS)
    .filter(([, items]) => items.includes(keyword))
    .map(([k]) => k);
}

/** "a `set` node", or the inferred kind said so. */
function written(n: ResolvedNode): string {
  return n.kindItem ? `a \`${n.kindItem.value.name}\` node` : `a \`${n.kind}\` node (the kind inferred for it)`;
}

export const ItemUnusedRule: Rule = (ctx) => ({
  node(n) {
    const allowed = KIND_ITEMS[n.kind as NodeKind];
    if (!allowed) return;
    for (const item of n.decl.items) {
      if (item.kind === "UnknownItem") continue;
      const k = item.keyword.name;
      if (!k) continue;
      if (COMMON_ITEMS.has(k)) {
        if (COMMON_ITEMS_UNUSED_BY[k]?.includes(n.kind as NodeKind)) {
          ctx.report("W-rag-item-unused", `\`${k}\` has no effect on ${written(n)}: it keeps model replies, and this kind makes no model call`, item.keyword.span, {
            label: `not used by \`${n.kind}\` nodes`,
            help: "remove the item, or put it on the model, agent or repl_agent node whose calls it should cache",
          });
        }
        continue;
      }
      if (allowed.includes(k)) continue;
      const kinds = usedBy(k);
      ctx.report("W-rag-item-unused", `\`${k}\` has no effect on ${written(n)}`, item.keyword.span, {
        label: `not used by \`${n.kind}\` nodes`,
        help: kinds.length ? `\`${k}\` is used by ${kinds.map((x) => `\`${x}\``).join(", ")} nodes; change \`kind\`, or remove the item` : `remove the item`,
      });
    }
  },
});
