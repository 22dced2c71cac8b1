/**
 * What a tool's task writes is checked against the state field it goes to (result-type.ts):
 * a `tool` node's result is its tool's declared `result` schema (the registry signature),
 * a `tool_executor`'s the replies to the calls as text, one string per call (stdlib's
 * tool executor sends every return to the model as a tool message). `writes FIELD` of
 * either into a field that cannot take it passed `rag check`, and the runtime's check of
 * the write failed the task.
 */
import { describe, expect, it } from "vitest";
import { compile, registryViewFromSnapshot, type RegistrySnapshot } from "../../compiler/index.js";

const SNAP: RegistrySnapshot = {
  models: ["m"],
  tools: ["count", "lookup"],
  agents: [],
  graphs: [],
  signatures: {
    tools: {
      count: { args: { type: "object", properties: {} }, result: { type: "number" }, read_only: true, approval: "auto" },
      lookup: { args: { type: "object", properties: {} }, result: { type: "object", properties: { id: { type: "string" } } }, read_only: true, approval: "auto" },
    },
  },
};
const registry = registryViewFromSnapshot(SNAP);
const graph = (nodes: string) => `graph g {
  start a
  state { s: string, n: number, notes: list<string> append, replies: list<string>, ids: list<number> append }
  channel messages messages
  ${nodes}
}`;
const errors = (nodes: string) => {
  const src = graph(nodes);
  return compile(src, { registry })
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => ({ code: d.code, message: d.message, at: src.slice(d.span.start.offset, d.span.end.offset), help: d.help }));
};

describe("a tool's result into a state field", () => {
  it("a tool node's declared result that the field cannot take is E-rag-type-mismatch on the field", () => {
    expect(errors('node a { kind tool tool "count" writes s next END }').map((e) => [e.code, e.message, e.at])).toEqual([
      ["E-rag-type-mismatch", "field `s` holds a string, but this writes a number: the result of this `tool` node", "s"],
    ]);
    expect(errors('node a { kind tool tool "lookup" writes { n: result.id } next END }').map((e) => e.message)).toEqual(["field `n` holds a number, but this writes a string"]);
    expect(errors('node a { kind tool tool "count" writes n next END }')).toEqual([]);
  });

  it("a tool executor's result is one reply text per call: into a scalar field, or a list of numbers, it is E-rag-type-mismatch", () => {
    expect(errors('node a { kind tool_executor tools ["count"] writes n next END }')).toEqual([
      {
        code: "E-rag-type-mismatch",
        message: "field `n` holds a number, but this writes a list: the result of this `tool_executor` node",
        at: "n",
        help: "a tool executor's result is the replies to the calls as text, one string per call (whatever the tools return): collect it in a `list<string>` field",
      },
    ]);
    expect(errors('node a { kind tool_executor tools ["count"] writes ids next END }').map((e) => e.message)).toEqual([
      "field `ids` is a list of numbers (`append` adds a number or a list of them), but this writes a list of strings: the result of this `tool_executor` node",
    ]);
    expect(errors('node a { kind tool_executor tools ["count"] writes { s: result[0], n: len(result) } next END }')).toEqual([]);
  });

  it("a list of strings takes it, whole or appended", () => {
    expect(errors('node a { kind tool_executor tools ["count"] writes replies next b }\n  node b { kind tool_executor tools ["lookup"] writes notes next END }')).toEqual([]);
  });
});
