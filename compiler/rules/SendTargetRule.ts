/**
 * A send target is a node of the graph, else an inline or registered agent (an
 * implicit `subagent` node), else a graph of the file or the registry (an implicit
 * `subgraph`), else `E-rag-unknown-send-target` with did-you-mean (`language.md` §2.3).
 * With no registry, or a registry whose agents/graphs are unchecked, other names pass
 * only when the registry is present and leaves them unchecked.
 */
import { didYouMean } from "../../grammar/suggest.js";
import type { Rule } from "./rule.js";

export const SendTargetRule: Rule = (ctx) => ({
  node(n, g) {
    const reg = ctx.registry;
    for (const send of n.sends) {
      for (const t of send.targets) {
        const name = t.target.name;
        if (!name || g.nodes.has(name) || ctx.program.agents.has(name) || ctx.program.graphByName.has(name)) continue;
        if (reg && (reg.agents === null || reg.agents.has(name) || reg.graphs === null || reg.graphs.has(name))) continue;
        const candidates = [...g.nodes.keys(), ...ctx.program.agents.keys(), ...ctx.program.graphByName.keys(), ...(reg?.agents ?? []), ...(reg?.graphs ?? [])];
        const suggestion = didYouMean(name, candidates);
        ctx.report("E-rag-unknown-send-target", `send target \`${name}\` is not a node, agent or graph`, t.target.span, {
          label: "unknown send target",
          ...(suggestion
            ? { help: `did you mean \`${suggestion}\`?`, fixes: [{ span: t.target.span, replacement: suggestion, description: `replace \`${name}\` with \`${suggestion}\`` }] }
            : { help: reg ? "declare a node, an `agent` or a `graph` with this name, or register one" : "declare a node, an `agent` or a `graph` with this name (no registry is bound: pass --config or --registry to check registered agents)" }),
        });
      }
    }
  },
});
