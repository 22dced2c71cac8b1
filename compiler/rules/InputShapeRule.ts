/**
 * InputShapeRule (issue 15 §1): the `input { … }` map of a node that calls a registered
 * tool, agent or graph matches that callee's signature — no unknown parameter, every
 * required one supplied, no value of the wrong type (`shape-check.ts`). A `tool` node
 * with no map passes no arguments (unless a send supplies them: SendShapeRule checks
 * those); a `subagent`/`subgraph` node with no map passes its state, conversations left
 * out. Callees without a signature, inline agents and graphs of the file (SendInputRule)
 * and `input "path"` are not checked here.
 */
import { graphTypes } from "../expr/scope.js";
import type { JsonSchema } from "../signatures.js";
import type { ResolvedGraph, ResolvedNode, ResolvedProgram } from "../resolve/resolve.js";
import type { RegistryView } from "../registry-view.js";
import type { Rule } from "./rule.js";
import { checkShape } from "./shape-check.js";

/** The schema a node's input must match, and the callee's name for messages. */
export function nodeCallee(n: ResolvedNode, p: ResolvedProgram, registry: RegistryView | undefined): { schema: JsonSchema; callee: string; passesState: boolean } | undefined {
  const sig = registry?.signatures;
  if (!sig) return undefined;
  if (n.kind === "tool") {
    const name = n.items.get("tool")?.value.value ?? n.items.get("tools")?.value.items[0];
    const tool = typeof name === "string" ? name : name?.kind === "String" ? name.value : undefined;
    const s = tool ? sig.tools?.[tool] : undefined;
    return s ? { schema: s.args, callee: `tool \`${tool}\``, passesState: false } : undefined;
  }
  if (n.kind === "subagent") {
    const name = n.items.get("agent")?.value.value;
    if (!name || p.agents.has(name)) return undefined;
    const s = sig.agents?.[name];
    return s?.input ? { schema: s.input, callee: `agent \`${name}\``, passesState: true } : undefined;
  }
  if (n.kind === "subgraph") {
    const name = (n.items.get("graph") ?? (n.modelMeaning === "graph" ? n.items.get("model") : undefined))?.value.value;
    if (!name || p.graphByName.has(name)) return undefined;
    const s = sig.graphs?.[name];
    return s?.input ? { schema: s.input, callee: `graph \`${name}\``, passesState: true } : undefined;
  }
  return undefined;
}

/** Whether some node of `g` sends to `name` (its arguments then come from the packet). */
export function isSendTarget(name: string, g: ResolvedGraph): boolean {
  return g.nodeList.some((m) => m.sends.some((s) => s.targets.some((t) => t.target.name === name)));
}

export const InputShapeRule: Rule = (ctx) => ({
  node(n, g) {
    if (g.nodes.get(n.name) !== n) return;
    const c = nodeCallee(n, ctx.program, ctx.registry);
    if (!c) return;
    const input = n.items.get("input");
    if (input?.value.kind === "String") return;
    if (!input && isSendTarget(n.name, g)) return;
    const types = graphTypes(g, ctx.program);
    checkShape(ctx, {
      map: input?.value,
      schema: c.schema,
      scope: types.scopes.before,
      callee: c.callee,
      how: `node \`${n.name}\` calls`,
      at: n.decl.name.span,
      ...(c.passesState ? { implicit: new Set(g.fields.keys()) } : {}),
    });
  },
});
