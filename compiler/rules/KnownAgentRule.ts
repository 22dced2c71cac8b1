/** Agents named by `agent "x"` are inline agents of the file or registered (`E-rag-unknown-agent`). */
import { checkName } from "./known-names.js";
import type { Rule } from "./rule.js";

export const KnownAgentRule: Rule = (ctx) => ({
  node(n) {
    const a = n.items.get("agent");
    if (a) checkName(ctx, a.value.value, a.value.span, { granted: ctx.registry?.agents, local: ctx.program.agents.keys(), code: "E-rag-unknown-agent", noun: "agent", owner: `node \`${n.name}\`` });
  },
});
