/**
 * `defer true` holds a node's task until no other work is pending (LangGraph's `defer`);
 * `blocking false` runs a node detached, beside whatever comes next. A node cannot do
 * both: `E-rag-defer-detached`.
 */
import type { Rule } from "./rule.js";

export const DeferRule: Rule = (ctx) => ({
  node(n) {
    const defer = n.items.get("defer");
    const blocking = n.items.get("blocking");
    if (!defer?.value || !blocking || blocking.value) return;
    ctx.report("E-rag-defer-detached", `node \`${n.name}\` is both \`defer true\` and \`blocking false\``, defer.span, {
      label: "waits for all other work",
      labels: [{ span: blocking.span, message: "runs detached" }],
      help: "a deferred node runs once nothing else is pending; a detached one runs beside other work — keep one of the two",
    });
  },
});
