/**
 * InputShapeRule (issue 15 §1): the `input { … }` map of a node that calls a registered
 * tool, agent or graph matches that callee's signature — no unknown parameter, every
 * required one supplied, no value of the wrong type (`shape-check.ts`). A `tool` node
 * with no map passes no arguments (unless a send supplies them: SendShapeRule checks
 * those); a `subagent`/`subgraph` node with no map passes its state, conversations left
 * out. A graph of this file is the callee too, its `input { … }` fields the signature:
 * only the values are checked here (types, ranges, patterns), SendInputRule checks the
 * keys. Callees without a signature, inline agents and `input "path"` are not checked.
 */
import { graphTypes } from "../expr/scope.js";
import { lowerField } from "../lower/types.js";
import { fieldsSchema, type JsonSchema } from "../signatures.js";
import type { ResolvedNode, ResolvedProgram } from "../resolve/resolve.js";
import { isFirstDeclaration } from "../resolve/resolve.js";
import type { RegistryView } from "../registry-view.js";
import type { Rule } from "./rule.js";
import { checkShape } from "./shape-check.js";
import { isSendTarget, type SendTargetRef } from "../analysis/send-targets.js";

/** What a call's argument map is checked against: the callee's schema and name for messages. */
export interface Callee {
  readonly schema: JsonSchema;
  readonly callee: string;
  readonly passesState: boolean;
  /** A graph of this file: check values only (SendInputRule checks its keys). */
  readonly valuesOnly?: boolean;
}

/** The input schema of graph `name` of this file (its `input { … }` fields), or undefined without one. */
function fileGraphCallee(name: string, p: ResolvedProgram): Callee | undefined {
  const g = p.graphByName.get(name);
  const fields = g?.io.filter((io) => io.direction === "input").flatMap((io) => io.fields) ?? [];
  if (!fields.length) return undefined;
  const schemas = new Set<string>();
  return { schema: fieldsSchema(fields.map((f) => lowerField(f, schemas))), callee: `graph \`${name}\``, passesState: true, valuesOnly: true };
}

/** The schema a node's input must match, and the callee's name for messages. */
function nodeCallee(n: ResolvedNode, p: ResolvedProgram, registry: RegistryView | undefined): Callee | undefined {
  if (n.kind === "subgraph") {
    const name = (n.items.get("graph") ?? (n.modelMeaning === "graph" ? n.items.get("model") : undefined))?.value.value;
    if (name && p.graphByName.has(name)) return fileGraphCallee(name, p);
  }
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

/**
 * The schema a send packet to `t` must match, when the compiler knows one: a node
 * target without its own `input` map passes the packet to its callee (`nodeCallee`); a
 * registered agent or graph takes it as its input; a graph of the file as its `input`
 * fields (values only). Inline agents and unknown names have none.
 */
export function sendCallee(t: SendTargetRef, p: ResolvedProgram, registry: RegistryView | undefined): Callee | undefined {
  const sig = registry?.signatures;
  switch (t.kind) {
    case "node":
      return t.node.items.has("input") ? undefined : nodeCallee(t.node, p, registry);
    case "agent": {
      const input = t.inline ? undefined : sig?.agents?.[t.name]?.input;
      return input ? { schema: input, callee: t.what, passesState: true } : undefined;
    }
    case "graph": {
      if (t.local) return fileGraphCallee(t.name, p);
      const input = sig?.graphs?.[t.name]?.input;
      return input ? { schema: input, callee: t.what, passesState: true } : undefined;
    }
    default:
      return undefined;
  }
}

export const InputShapeRule: Rule = (ctx) => ({
  node(n, g) {
    if (!isFirstDeclaration(g, n)) return;
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
      ...(c.valuesOnly ? { valuesOnly: true } : {}),
    });
  },
});
