/**
 * What `result` holds after a node ran, per kind (`language.md` §7; issue 15 §1):
 * - `model`/`agent`: the `output` record when declared, else the reply text (a string);
 * - `subagent`: the agent's output (an inline agent's `output`, a registered agent's
 *   output schema), else its reply text;
 * - `subgraph`: the graph's `output` fields (of the file, or the registered graph's
 *   signature), else unknown (the last task's result);
 * - `tool`: the registered tool's `result` schema (its signature), else unknown;
 * - `tool_executor`: the replies to the pending calls as text, one string per call
 *   (stdlib/kinds/tool-executor.ts: a tool's return is sent to the model as a tool
 *   message, JSON text unless it is a string), whatever the tools' `result` schemas say;
 * - `router` with a route function: the label (a string; one of its labels when declared);
 * - `interrupt` with `resume { … }` and no `options`: the resume record (with options the
 *   answer also carries `choice`, so it stays unknown);
 * - everything else (`interrupt`, `repl_agent`, …): unknown (`any`).
 * Unknown is `any`, which silences every check.
 */
import type { RegistryView } from "../registry-view.js";
import type { ResolvedGraph, ResolvedNode, ResolvedProgram } from "../resolve/resolve.js";
import { schemaType } from "./schema-type.js";
import { ANY, recordOf, STRING, typeOf, type ExprType } from "./types.js";

/** A tool executor's result: one reply text per call. */
const TOOL_REPLIES: ExprType = { t: "list", items: STRING };

function declaredOutput(items: ResolvedNode["items"], p: ResolvedProgram, item: "output" | "resume" = "output"): ExprType | undefined {
  const out = items.get(item);
  if (!out) return undefined;
  if (out.value.kind === "Identifier") {
    const schema = p.schemas.get(out.value.name);
    return schema ? recordOf(schema.fields, p, `schema \`${out.value.name}\``) : ANY;
  }
  return typeOf(out.value, p);
}

/** What agent `name` returns: an inline agent's `output` or reply text, a registered agent's output schema or reply text; unknown when not registered. */
export function agentResultType(name: string, p: ResolvedProgram, registry: RegistryView | undefined): ExprType {
  const inline = p.agents.get(name);
  if (inline) return declaredOutput(inline.items, p) ?? STRING;
  const sig = registry?.signatures?.agents?.[name];
  if (!sig) return ANY;
  return sig.output ? schemaType(sig.output, `the output of agent \`${name}\``) : STRING;
}

/** What graph `name` returns: a graph of the file's `output` fields, a registered graph's output signature; else unknown. */
export function graphResultType(name: string, p: ResolvedProgram, registry: RegistryView | undefined): ExprType {
  const local = p.graphByName.get(name);
  if (local) {
    const fields = local.io.filter((i) => i.direction === "output").flatMap((i) => i.fields);
    return fields.length ? recordOf(fields, p, `the output of graph \`${name}\``) : ANY;
  }
  const sig = registry?.signatures?.graphs?.[name];
  return sig?.output ? schemaType(sig.output, `the output of graph \`${name}\``) : ANY;
}

export function resultType(n: ResolvedNode, _g: ResolvedGraph, p: ResolvedProgram, registry: RegistryView | undefined): ExprType {
  switch (n.kind) {
    case "model":
    case "agent":
      return declaredOutput(n.items, p) ?? STRING;
    case "subagent": {
      const own = declaredOutput(n.items, p);
      if (own) return own;
      const name = n.items.get("agent")?.value.value;
      return name ? agentResultType(name, p, registry) : ANY;
    }
    case "subgraph": {
      const name = (n.items.get("graph") ?? (n.modelMeaning === "graph" ? n.items.get("model") : undefined))?.value.value;
      return name ? graphResultType(name, p, registry) : ANY;
    }
    case "tool": {
      const item = n.items.get("tool")?.value.value ?? n.items.get("tools")?.value.items[0];
      const name = typeof item === "string" ? item : item?.kind === "String" ? item.value : undefined;
      const sig = name ? registry?.signatures?.tools?.[name] : undefined;
      return sig?.result ? schemaType(sig.result, `the result of tool \`${name}\``) : ANY;
    }
    case "tool_executor":
      return TOOL_REPLIES;
    case "interrupt":
      return n.items.get("options") ? ANY : (declaredOutput(n.items, p, "resume") ?? ANY);
    case "router": {
      const route = (n.items.get("route") ?? (n.modelMeaning === "route" ? n.items.get("model") : undefined))?.value.value;
      if (!route) return ANY;
      const labels = registry?.signatures?.routers?.[route]?.labels;
      return labels?.length ? { t: "string", values: [...labels] } : STRING;
    }
    default:
      return ANY;
  }
}
