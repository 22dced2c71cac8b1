/**
 * Shared by the LangGraph.js conformance cases: a reducer applied the way a superstep's
 * barrier applies it, and a probe kind that records which nodes ran. Upstream:
 * https://github.com/langchain-ai/langgraphjs (libs/langgraph-core/src).
 */
import type { FieldSpec, ReducerName, TypeSpec } from "../../../compiler/index.js";
import { REDUCERS } from "../../../runtime/index.js";
import { standardRegistry } from "../../../stdlib/index.js";

const SPAN = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };

/** Applies one superstep's writes (each `[node, value]`) to `current` through reducer `name`. */
export function reduce(name: ReducerName, current: unknown, writes: readonly unknown[], type: TypeSpec = { type: "any" }, args: unknown[] = []): unknown {
  const field = { name: "ch", type, reducer: { name, args }, span: SPAN } as unknown as FieldSpec;
  const base = current === undefined ? REDUCERS[name].initial(field) : current;
  return REDUCERS[name].apply(base, writes.map((value, i) => ({ value, taskId: `1.${i}`, node: `n${i}` })), { field, registry: standardRegistry(), graph: "g", step: 1 });
}

import { compileGraph } from "../../../compiler/index.js";
import type { Registry } from "../../../registry/index.js";
import { CompiledGraph, MemoryCheckpointer } from "../../../runtime/index.js";

/**
 * A registry whose kind `push` appends its node name to `value` and logs the call, and
 * whose kind `ask` asks `interrupt(prompt)` then appends `human:<answer>`.
 */
export function world(): { registry: Registry; called: string[] } {
  const registry = standardRegistry();
  const called: string[] = [];
  registry.registerNodeKind("push", async (t) => {
    called.push(t.node.name);
    return { writes: [["value", t.node.name]] };
  });
  registry.registerNodeKind("ask", async (t) => {
    called.push(t.node.name);
    const answer = t.interrupt<string>(`${t.node.name}?`);
    return { writes: [["value", `human:${answer}`]] };
  });
  return { registry, called };
}

/** Compiles `source` (its first graph) against `registry` with a fresh in-memory checkpointer. */
export function compile(source: string, registry: Registry): CompiledGraph {
  const r = compileGraph(source, { registry: registry.view() });
  if (!r.value || r.diagnostics.some((d) => d.severity === "error")) throw new Error(r.diagnostics.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return new CompiledGraph(r.value, { registry, checkpointer: new MemoryCheckpointer() });
}
