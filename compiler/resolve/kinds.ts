/**
 * Node kinds (`language.md` §2.4), their aliases (§6) and kind inference.
 */
import type { NodeKind } from "../blueprint.js";

export const NODE_KINDS: readonly NodeKind[] = [
  "model", "agent", "tool_executor", "tool", "router", "set", "subgraph", "subagent", "interrupt", "join", "repl_agent",
];

/** Reference-dialect spellings → canonical kind. */
export const KIND_ALIASES: Readonly<Record<string, NodeKind>> = {
  graph: "subgraph",
  human: "interrupt",
  sub_agent: "subagent",
};

/** Canonical kind for a written kind, or undefined when it is no built-in kind. */
export function canonicalKind(written: string): NodeKind | undefined {
  if ((NODE_KINDS as readonly string[]).includes(written)) return written as NodeKind;
  // Own entries only: `kind toString` read Object.prototype's function as a kind.
  return Object.hasOwn(KIND_ALIASES, written) ? KIND_ALIASES[written] : undefined;
}

/** Every built-in spelling (canonical names and aliases). */
export const ALL_KIND_SPELLINGS: readonly string[] = [...NODE_KINDS, ...Object.keys(KIND_ALIASES)];

/** The facts kind inference looks at. */
export interface KindEvidence {
  readonly has: (keyword: string) => boolean;
  /** True when the node has `when`/`else` routes and no label routes. */
  readonly conditionRoutesOnly: boolean;
}

/**
 * Kind of a node written without `kind` (§6): a `model` node, or the kind implied by
 * what it names — `agent` → subagent, `graph` → subgraph, `script` → repl_agent,
 * `sources` → join, `options` → interrupt, `tool` → tool; a node that only `set`s state
 * is a `set` node and one with only condition routes a `router`, since neither would
 * make sense as a model call.
 */
export function inferKind(e: KindEvidence): NodeKind {
  if (e.has("agent")) return "subagent";
  if (e.has("graph")) return "subgraph";
  if (e.has("script")) return "repl_agent";
  if (e.has("sources")) return "join";
  if (e.has("options")) return "interrupt";
  if (e.has("tool")) return "tool";
  const modelish = e.has("model") || e.has("prompt") || e.has("system") || e.has("tools") || e.has("output");
  if (!modelish && e.has("set")) return "set";
  if (!modelish && e.has("routes") && e.conditionRoutesOnly) return "router";
  return "model";
}
