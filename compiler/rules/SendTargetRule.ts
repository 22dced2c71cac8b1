/**
 * A send target is a node of the graph, an agent (inline or registered: an implicit
 * `subagent` node) or a graph (of the file or the registry: an implicit `subgraph`),
 * else `E-rag-unknown-send-target` with did-you-mean (`language.md` §2.3).
 * Other names pass only when a registry is present and leaves agents or graphs unchecked
 * (`analysis/send-targets.ts`).
 */
import { didYouMean } from "../../grammar/suggest.js";
import { resolveSendTarget } from "../analysis/send-targets.js";
import type { Rule } from "./rule.js";

export const SendTargetRule: Rule = (ctx) => ({
  node(n, g) {
    const reg = ctx.registry;
    for (const send of n.sends) {
      for (const t of send.targets) {
        const name = t.target.name;
        if (!name || resolveSendTarget(name, g, ctx.program, reg).kind !== "unknown") continue;
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
