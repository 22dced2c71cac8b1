/** Agents named by `agent "x"` (or a repl_agent's `agents [..]`) are inline agents of the file or registered (`E-rag-unknown-agent`). */
import { listNames } from "../resolve/resolve.js";
import { checkName } from "./known-names.js";
import type { Rule } from "./rule.js";

export const KnownAgentRule: Rule = (ctx) => ({
  node(n) {
    const a = n.items.get("agent");
    if (a) checkName(ctx, a.value.value, a.value.span, { granted: ctx.registry?.agents, local: ctx.program.agents, code: "E-rag-unknown-agent", noun: "agent", owner: `node \`${n.name}\`` });
    for (const x of listNames(n.items.get("agents")?.value)) checkName(ctx, x.name, x.span, { granted: ctx.registry?.agents, local: ctx.program.agents, code: "E-rag-unknown-agent", noun: "agent", owner: `node \`${n.name}\`` });
  },
});
