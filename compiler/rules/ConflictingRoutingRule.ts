/**
 * A node chooses its successor one way: `next`, `routes`, `command goto`, or top-level
 * edges (several edges are static fan-out). Any two of those is
 * `E-rag-conflicting-routing` (`language.md` §2.3, §6). A `send` may accompany any of
 * them; the reference form `sends` + `next` is accepted.
 */
import { routingSourceCount, routingSources } from "./helpers.js";
import type { Rule } from "./rule.js";
import { isFirstDeclaration } from "../resolve/resolve.js";

export const ConflictingRoutingRule: Rule = (ctx) => ({
  node(n, g) {
    // Fewer than two ways of routing cannot conflict: counted first, without building the list.
    if (routingSourceCount(n, g) < 2 || !isFirstDeclaration(g, n)) return;
    const sources = routingSources(n, g);
    const kinds = [...new Set(sources.map((s) => s.what))];
    if (kinds.length < 2) return;
    const firstKind = sources[0].what;
    const conflict = sources.find((s) => s.what !== firstKind)!;
    const describe = (w: string) => (w === "edge" ? "a top-level edge" : `\`${w}\``);
    ctx.report("E-rag-conflicting-routing", `node \`${n.name}\` is routed both by ${describe(firstKind)} and by ${describe(conflict.what)}`, conflict.span, {
      label: `${describe(conflict.what)} here`,
      labels: [{ span: sources[0].span, message: `${describe(firstKind)} here` }],
      help: "keep one way of choosing the successor: `next` (or edges) for a fixed successor, `routes` for a choice",
    });
  },
});
