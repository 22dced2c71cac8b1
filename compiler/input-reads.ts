/**
 * Where a blueprint reads its run input: every `input.<key>` member access in its nodes'
 * and edges' expressions and templates (`language.md` §3, root `input`). A graph with no
 * `input` block accepts any object, and a key it reads but was not given evaluates to
 * null; the CLI uses this list to say so before a run instead of letting a `null` flow
 * into prompts unnoticed.
 */
import type { Blueprint } from "./blueprint.js";
import type { Span } from "../grammar/span.js";

/** One read of `input.<key>`: the key, the node whose item or outgoing edge (a `when` condition) reads it, and the span of `input.<key>`. */
export interface InputRead {
  readonly key: string;
  readonly node: string;
  readonly span: Span;
}

/**
 * The `input.<key>` reads of `bp`'s own nodes and edges (not of its subgraphs, whose
 * input is mapped from this graph's state), in source order of nodes, then edges.
 */
export function inputReads(bp: Blueprint): InputRead[] {
  const out: InputRead[] = [];
  for (const n of bp.nodes) collect(n, n.name, out);
  for (const e of bp.edges) collect(e, e.from, out);
  return out;
}

function collect(value: unknown, node: string, out: InputRead[]): void {
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const v of value) collect(v, node, out);
    return;
  }
  const o = value as Record<string, unknown>;
  if (o.op === "get" && typeof o.key === "string") {
    const obj = o.object as Record<string, unknown> | undefined;
    if (obj && obj.op === "var" && obj.name === "input") {
      out.push({ key: o.key, node, span: o.span as Span });
      return;
    }
  }
  for (const k in o) if (k !== "span") collect(o[k], node, out);
}
