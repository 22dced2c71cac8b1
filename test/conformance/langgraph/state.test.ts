/**
 * Ported from LangGraph.js `libs/langgraph-core/src/graph/state.test.ts` ("Overwrite
 * end-to-end", duplicate `Command` updates, output schema). LangGraph's `new Overwrite(v)`
 * is `overwrite(v)` (`registry`), wire form `{ __overwrite__: v }` in both: a node kind
 * returns it as a write's value and the field takes `v`, bypassing its reducer. Schema
 * variants of the same cases (Zod v3, `MessagesZodState`, `StateSchema` + `ReducedValue`)
 * and the constructor/typing cases have no counterpart (README.md).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { overwrite } from "../../../registry/index.js";
import { InvalidUpdateError, SqliteCheckpointer } from "../../../runtime/index.js";
import { buildGraph, failure } from "../../helpers/run-graph.js";
import { compile, world } from "./helpers.js";

/** A graph `add → replace [→ add_more]` whose nodes write what `writes` gives them. */
function chain(field: string, writes: Record<string, unknown>) {
  const { registry } = world();
  registry.registerNodeKind("write", async (t) => ({ writes: [[field, writes[t.node.name]]] }));
  const names = Object.keys(writes);
  const nodes = names.map((n, i) => `node ${n} { kind write next ${names[i + 1] ?? "END"} }`).join("\n");
  return { registry, nodes, start: names[0] };
}

describe("Overwrite end-to-end", () => {
  // upstream: graph/state.test.ts "should overwrite a reducer field with Overwrite class"
  it("should overwrite a reducer field with Overwrite class", async () => {
    const c = chain("items", { add: ["a", "b"], replace: overwrite(["replaced"]) });
    const g = compile(`graph g { start ${c.start} state { items: list<string> append } ${c.nodes} }`, c.registry);
    expect((await g.invoke({})).state.items).toEqual(["replaced"]);
  });

  // upstream: graph/state.test.ts "should overwrite with wire format object"
  it("should overwrite with wire format object", async () => {
    const c = chain("items", { add: ["a", "b"], replace: { __overwrite__: ["replaced"] } });
    const g = compile(`graph g { start ${c.start} state { items: list<string> append } ${c.nodes} }`, c.registry);
    expect((await g.invoke({})).state.items).toEqual(["replaced"]);
  });

  // upstream: graph/state.test.ts "should overwrite a numeric reducer field"
  it("should overwrite a numeric reducer field", async () => {
    const c = chain("count", { add: 5, reset: overwrite(0), add_more: 3 });
    const g = compile(`graph g { start ${c.start} state { count: number sum } ${c.nodes} }`, c.registry);
    expect((await g.invoke({})).state.count).toBe(3);
  });

  // upstream: graph/state.test.ts "should overwrite to empty array"
  it("should overwrite to empty array", async () => {
    const c = chain("items", { add: ["a", "b", "c"], clear: overwrite([]) });
    const g = compile(`graph g { start ${c.start} state { items: list<string> append } ${c.nodes} }`, c.registry);
    expect((await g.invoke({})).state.items).toEqual([]);
  });

  // upstream: graph/state.test.ts "should continue accumulating after overwrite"
  it("should continue accumulating after overwrite", async () => {
    const c = chain("items", { add: ["a"], replace: overwrite(["x"]), add_more: ["y"] });
    const g = compile(`graph g { start ${c.start} state { items: list<string> append } ${c.nodes} }`, c.registry);
    expect((await g.invoke({})).state.items).toEqual(["x", "y"]);
  });

  // upstream: graph/state.test.ts "should overwrite messages"
  it("should overwrite messages", async () => {
    const c = chain("messages", { agent: [{ role: "assistant", content: "first response" }], replace: overwrite([{ id: "m1", role: "assistant", content: "only this" }]) });
    const g = compile(`graph g { start ${c.start} state { messages: messages } ${c.nodes} }`, c.registry);
    const r = await g.invoke({ messages: [{ role: "user", content: "hello" }] });
    expect(r.state.messages).toHaveLength(1);
    expect((r.state.messages as { content: string }[])[0].content).toBe("only this");
  });

  // upstream: graph/state.test.ts "should overwrite messages in MessagesAnnotation"
  it("should overwrite messages in MessagesAnnotation", async () => {
    const c = chain("messages", { agent: [{ role: "assistant", content: "first" }], replace: overwrite([{ id: "m1", role: "user", content: "fresh start" }]) });
    const g = compile(`graph g { start ${c.start} state { messages: messages } ${c.nodes} }`, c.registry);
    const r = await g.invoke({ messages: [{ role: "user", content: "hello" }] });
    expect(r.state.messages).toMatchObject([{ role: "user", content: "fresh start" }]);
  });

  // ragraph: at most one overwrite per field per step (LangGraph: "Can receive only one Overwrite value per step")
  it("two overwrites of one field in one step fail the step, naming both nodes", async () => {
    const { registry } = world();
    registry.registerNodeKind("reset", async () => ({ writes: [["items", overwrite([])]] }));
    const g = compile(`graph g { start s state { items: list<string> append } node s { kind set set { } next [a, b] } node a { kind reset next END } node b { kind reset next END } }`, registry);
    const err = await failure(g.invoke({}));
    expect(err).toBeInstanceOf(InvalidUpdateError);
    expect(err.message).toMatch(/`a` and `b` both overwrote/);
  });

  // ragraph: an overwrite is a whole value of the field's type, not a reducer input
  it("an overwrite that is not a whole value of the field fails with the field named", async () => {
    const c = chain("items", { add: ["a"], replace: overwrite("not a list") });
    const g = compile(`graph g { start ${c.start} state { items: list<string> append } ${c.nodes} }`, c.registry);
    const err = await failure(g.invoke({}));
    expect(err).toBeInstanceOf(InvalidUpdateError);
    expect(err.message).toMatch(/field `items`: an overwrite must be a whole value/);
  });

  // ragraph: append-like fields are stored as deltas; an overwrite is stored whole, and
  // updateState takes one too (SQLite checkpointer: values rebuilt from storage)
  it("an overwritten append field reads back from its checkpoints, and updateState can overwrite", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rag-lg-overwrite-"));
    try {
      const { registry } = world();
      registry.registerNodeKind("write", async (t) => ({ writes: [["items", t.node.name === "replace" ? overwrite(["x"]) : [t.node.name]]] }));
      const { graph: g } = buildGraph(`graph g { start add state { items: list<string> append }
        node add { kind write next replace } node replace { kind write next add_more } node add_more { kind write next END } }`, { registry, checkpointer: new SqliteCheckpointer(join(dir, "c.db")) });
      await g.invoke({ items: ["in"] }, { threadId: "t" });
      expect((await g.getStateHistory("t")).map((s) => s.values.items)).toEqual([["x", "add_more"], ["x"], ["in", "add"], ["in"]]);
      await g.updateState("t", { items: overwrite(["edited"]) });
      expect((await g.getState("t"))!.values.items).toEqual(["edited"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("duplicate Command updates", () => {
  // upstream: graph/state.test.ts "should preserve duplicate Command updates"
  it("should preserve duplicate Command updates", async () => {
    const { registry } = world();
    registry.registerNodeKind("append", async () => ({ writes: [["items", "a1"], ["items", "a2"]] }));
    const g = compile(`graph g { start append state { items: list<string> append } node append { kind append next END } }`, registry);
    expect((await g.invoke({})).state).toEqual({ items: ["a1", "a2"] });
  });

  // upstream: graph/state.test.ts "should validate each duplicate Command update"
  it("should validate each duplicate Command update", async () => {
    const { registry } = world();
    registry.registerNodeKind("append", async () => ({ writes: [["items", "x"], ["items", "ok"]] }));
    const g = compile(`graph g { start append state { items: list<string(/^.{2,}$/)> append } node append { kind append next END } }`, registry);
    const err = await failure(g.invoke({}));
    expect(err).toBeInstanceOf(InvalidUpdateError);
    expect(err.message).toMatch(/items/);
  });
});

describe("graph functionality", () => {
  // upstream: graph/state.test.ts "outputs only fields from output schema"
  it("outputs only fields from output schema", async () => {
    const { registry } = world();
    const g = compile(`graph g { start process state { question: string  answer: string  metadata: string } output { answer: string }
      node process { kind set set { answer: "Answer: " + state.question, metadata: "some metadata" } next END } }`, registry);
    const r = await g.invoke({ question: "test" });
    expect(r.output).toEqual({ answer: "Answer: test" });
    expect(r.output).not.toHaveProperty("metadata");
  });
});
