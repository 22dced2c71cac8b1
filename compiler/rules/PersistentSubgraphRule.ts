/**
 * `persistent true` keeps a subgraph node's child state from one call to the next
 * (LangGraph's subgraph compiled with `checkpointer: true`; `runtime.md` §3). That state
 * lives in checkpoints, and one call at a time continues it:
 * - `E-rag-persistent-detached`: with `blocking false` the node runs beside later steps,
 *   so its next call could start while the previous one still runs;
 * - `E-rag-persistent-without-checkpointer`: the graph (or the node) turns checkpoints
 *   off, or the registry says no checkpointer is configured: there is nowhere to keep it.
 * `persistent` on a node of another kind is `W-rag-item-unused` (ItemUnusedRule).
 */
import type { Rule } from "./rule.js";

const OFF = new Set(["none", "never"]);

export const PersistentSubgraphRule: Rule = (ctx) => ({
  node(n, g) {
    const persistent = n.items.get("persistent");
    if (!persistent?.value || n.kind !== "subgraph") return;
    const blocking = n.items.get("blocking");
    if (blocking && !blocking.value) {
      ctx.report("E-rag-persistent-detached", `node \`${n.name}\` is both \`persistent true\` and \`blocking false\``, persistent.span, {
        label: "continues the previous call's state",
        labels: [{ span: blocking.span, message: "runs detached" }],
        help: "a persistent subgraph runs one call at a time; a detached call could overlap the next one — keep one of the two",
      });
    }
    const nodeOff = n.items.get("checkpoint");
    const graphOff = g.policies.find((p) => p.policy === "checkpoint" && OFF.has(p.value.name));
    const defaultsOff = g.configs.flatMap((c) => (c.config === "defaults" ? c.value.entries : [])).find((e) => e.key.name === "checkpoint" && e.value.kind === "Word" && OFF.has(e.value.name));
    const off = nodeOff && OFF.has(nodeOff.value.name) ? { span: nodeOff.value.span, text: `\`checkpoint ${nodeOff.value.name}\` on the node` } : graphOff ? { span: graphOff.value.span, text: `\`checkpoint ${graphOff.value.name}\`` } : defaultsOff ? { span: defaultsOff.span, text: "`checkpoint` in `defaults`" } : undefined;
    if (off || ctx.registry?.checkpointer === false) {
      ctx.report("E-rag-persistent-without-checkpointer", `node \`${n.name}\` keeps its subgraph's state between calls (\`persistent true\`), but ${off ? `graph \`${g.name}\` turns checkpoints off (${off.text})` : "there is no checkpointer to keep it in"}`, persistent.span, {
        label: "state kept in checkpoints",
        ...(off ? { labels: [{ span: off.span, message: "checkpoints off" }] } : {}),
        help: off ? "use `checkpoint sync`, `async` or `exit`, or remove `persistent`" : "run with a checkpointer (the CLI's default `.rag/checkpoints.db`, not `--no-checkpoints`), or remove `persistent`",
      });
    }
  },
});
