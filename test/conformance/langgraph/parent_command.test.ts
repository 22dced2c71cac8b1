/**
 * Commands addressed to the parent graph (LangGraph's `Command({graph: Command.PARENT})`)
 * and Send packets that carry a Command: ported from LangGraph.js
 * `libs/langgraph-core/src/tests/pregel.test.ts`. A node kind of a subgraph returns
 * `graph: "PARENT"` with `writes` and `goto` (`NodeResult`), or a `.rag` node says
 * `command { goto parent.NODE update { … } }`.
 */
import { describe, expect, it } from "vitest";
import type { Registry } from "../../../registry/index.js";
import { MemoryCheckpointer, NodeError, type RunEvent } from "../../../runtime/index.js";
import { standardRegistry } from "../../../stdlib/index.js";
import { buildGraph, eventsOf, failure, nodesPerStep } from "../../helpers/run-graph.js";

function build(source: string, registry: Registry) {
  return buildGraph(source, { registry, checkpointer: new MemoryCheckpointer() }).graph;
}

const texts = (messages: unknown) => (messages as { role: string; content: string }[]).map((m) => `${m.role}:${m.content}`);

describe("Command.PARENT", () => {
  // upstream: tests/pregel.test.ts "test_parent_command"
  it("test_parent_command", async () => {
    const registry = standardRegistry();
    registry.registerNodeKind("get_user_name", async () => ({ graph: "PARENT", writes: [["user_name", "Meow"]] }));
    const g = build(
      `graph parent { start alice state { messages: messages  user_name: string? }
         node alice { kind subgraph graph "sub" input { messages: state.messages } } }
       graph sub { start tool state { messages: messages } node tool { kind get_user_name } }`,
      registry,
    );
    const r = await g.invoke({ messages: [{ role: "user", content: "get user name" }] }, { threadId: "1" });
    expect(texts(r.state.messages)).toEqual(["user:get user name"]);
    expect(r.state.user_name).toBe("Meow");
    const s = await g.getState("1");
    expect(s?.values.user_name).toBe("Meow");
    expect(s?.next).toEqual([]);
    expect(s?.step).toBe(1);
    expect(s?.source).toBe("loop");
  });

  // upstream: tests/pregel.test.ts "test_parent_command with goto with double updates"
  it("test_parent_command with goto with double updates", async () => {
    const registry = standardRegistry();
    registry.registerNodeKind("get_user_name", async () => ({ graph: "PARENT", writes: [["user_name", "Meow"]], goto: ["bob"] }));
    const seen: unknown[] = [];
    registry.registerNodeKind("bob", async (t) => {
      seen.push(t.state.user_name);
      if (t.state.user_name !== "Meow") throw new Error("failed to update state from child");
      return { writes: [["messages", [{ role: "assistant", content: "bob" }]]] };
    });
    const g = build(
      `graph parent { start init state { messages: messages  user_name: string? }
         node init { kind set set { } routes { when true -> alice } }
         node alice { kind subgraph graph "sub" next bob }
         node bob { kind bob next END } }
       graph sub { start init state { user_name: string? }
         node init { kind set set { user_name: "Woof" } next tool }
         node tool { kind get_user_name } }`,
      registry,
    );
    const r = await g.invoke({ messages: [{ role: "user", content: "get user name" }] }, { threadId: "1" });
    expect(texts(r.state.messages)).toEqual(["user:get user name", "assistant:bob"]);
    expect(r.state.user_name).toBe("Meow");
    // the static edge alice -> bob and the goto bob activate bob once (fan-in once per superstep)
    expect(seen).toEqual(["Meow"]);
    const s = await g.getState("1");
    expect(s?.next).toEqual([]);
    expect(s?.step).toBe(3);
  });

  // upstream: tests/pregel.test.ts "test_parent_command from grandchild graph"
  it("test_parent_command from grandchild graph", async () => {
    const registry = standardRegistry();
    registry.registerNodeKind("get_user_name", async () => ({
      graph: "PARENT",
      writes: [
        ["messages", [{ role: "assistant", content: "grandkid" }]],
        ["user_name", "jeffrey"],
      ],
      goto: ["robert"],
    }));
    registry.registerNodeKind("robert", async (t) => {
      if (t.state.user_name !== "jeffrey") throw new Error("failed to update state from grandchild");
      return { writes: [["messages", [{ role: "assistant", content: "robert" }]]] };
    });
    const g = build(
      `graph root { start alice state { messages: messages  user_name: string? }
         node alice { kind subgraph graph "child" input { messages: state.messages } writes { messages: result.messages, user_name: result.user_name } } }
       graph child { start bob state { messages: messages  user_name: string? } output { messages: any  user_name: any }
         node bob { kind subgraph graph "grandchild" next robert }
         node robert { kind robert next END } }
       graph grandchild { start tool state { messages: messages  user_name: string? } node tool { kind get_user_name } }`,
      registry,
    );
    const r = await g.invoke({ messages: [{ role: "user", content: "get user name" }] }, { threadId: "1" });
    expect(texts(r.state.messages)).toEqual(["user:get user name", "assistant:grandkid", "assistant:robert"]);
    expect(r.state.user_name).toBe("jeffrey");
    expect((await g.getState("1"))?.step).toBe(1);
  });

  // upstream: tests/pregel.test.ts "should handle Command.PARENT as described in the docs"
  it("should handle Command.PARENT as described in the docs", async () => {
    const registry = standardRegistry();
    const callLog: string[] = [];
    let goto = "";
    registry.registerNodeKind("node_a", async () => (callLog.push("Called A"), { graph: "PARENT", writes: [["foo", "a"]], goto: [goto] }));
    registry.registerNodeKind("suffix", async (t) => (callLog.push(`Called ${t.node.name.slice(-1).toUpperCase()}`), { writes: [["foo", `${String(t.state.foo)}|${t.node.name.slice(-1).toLowerCase()}`]] }));
    const g = build(
      `graph parent { start subgraph state { foo: string = "" }
         node subgraph { kind subgraph graph "sub" }
         node nodeB { kind suffix next END }
         node nodeC { kind suffix next END } }
       graph sub { start nodeA state { foo: string = "" } node nodeA { kind node_a } }`,
      registry,
    );
    goto = "nodeB";
    expect((await g.invoke({})).state.foo).toBe("a|b");
    expect(callLog).toEqual(["Called A", "Called B"]);
    callLog.length = 0;
    goto = "nodeC";
    expect((await g.invoke({})).state.foo).toBe("a|c");
    expect(callLog).toEqual(["Called A", "Called C"]);
  });

  // upstream: tests/pregel.test.ts "should handle Command.PARENT as described in the docs", in `.rag`:
  // `command { goto parent.NODE update { … } }` says the same without code
  it("should handle Command.PARENT as described in the docs (.rag command goto parent)", async () => {
    const registry = standardRegistry();
    const g = build(
      `graph parent { start subgraph state { foo: string = "" }
         node subgraph { kind subgraph graph "sub" }
         node nodeB { kind set set { foo: state.foo + "|b" } next END }
         node nodeC { kind set set { foo: state.foo + "|c" } next END } }
       graph sub { start nodeA state { foo: string = "" }
         node nodeA { kind set command { goto parent.nodeC update { foo: "a" } } } }`,
      registry,
    );
    expect((await g.invoke({})).state.foo).toBe("a|c");
  });

  // upstream: tests/pregel.test.ts "test_parent_command" (a graph run at the top has no parent:
  // LangGraph raises InvalidUpdateError; ragraph fails the run with a NodeError naming the node)
  it("a command for the parent from a graph run at the top fails the run", async () => {
    const registry = standardRegistry();
    registry.registerNodeKind("up", async () => ({ graph: "PARENT", goto: ["x"] }));
    const g = build(`graph g { start a state { v: any } node a { kind up } }`, registry);
    const err = await failure(g.invoke({}));
    expect(err).toBeInstanceOf(NodeError);
    expect(err.message).toMatch(/node `a` sent a command to its parent graph/);
  });

  // upstream: tests/pregel.test.ts "should not stream input messages in streamMode: messages"
  // (the subgraph's `route` node sends goto node2 to the parent; only the model's message streams)
  it("should not stream input messages in streamMode: messages", async () => {
    const registry = standardRegistry();
    registry.registerNodeKind("route", async () => ({ graph: "PARENT", goto: ["node2"] }));
    const ran: string[] = [];
    registry.registerNodeKind("echo", async (t) => (ran.push(t.node.name), {}));
    const g = build(
      `graph parent { start node1 state { messages: messages }
         node node1 { kind subgraph graph "sub" input { messages: state.messages } }
         node node2 { kind echo next END } }
       graph sub { start route state { messages: messages } node route { kind route } }`,
      registry,
    );
    const events = await eventsOf(g, { messages: [{ role: "user", content: "hi" }] }, { mode: "messages" });
    expect(events.filter((e) => e.type === "model_token" || e.type === "model_completed")).toEqual([]);
    expect(ran).toEqual(["node2"]);
  });
  // upstream: tests/pregel.test.ts "should handle non-overlapping parent command updates" (upstream expects
  // ["foo", "bar", "baz"]). Its subgraph node returns `graph: "PARENT"`, the string, not `Command.PARENT`
  // (`"__parent__"`): LangGraph applies it as an ordinary command *of the subgraph* (its `goto: "node_3"`
  // names no subgraph node and is dropped), the subgraph ends normally and node_2 writes the subgraph's
  // final state, "bar" included; the parent's edge node_2 -> node_3 runs node_3. Re-expressed: the
  // subgraph's last node writes locally, and the subgraph node writes its result back. `visitedNodes`
  // (no state key upstream, ignored there) is left out: typed state refuses it (difference 1).
  it("should handle non-overlapping parent command updates", async () => {
    const registry = standardRegistry();
    registry.registerNodeKind("emit", async (t) => ({ writes: (t.node.name === "node_3" ? ["baz"] : t.node.name === "node_1" ? ["foo"] : t.node.name === "subgraph_node_1" ? ["bar"] : []).map((s) => ["uniqueStrings", [s]] as const) }));
    const g = build(
      `graph main { start node_1 state { uniqueStrings: list<string> union }
         node node_1 { kind emit next node_2 }
         node node_2 { kind subgraph graph "sub" writes { uniqueStrings: result.uniqueStrings } next node_3 }
         node node_3 { kind emit next END } }
       graph sub { start subgraph_node_1 state { uniqueStrings: list<string> union } output { uniqueStrings: any }
         node subgraph_node_1 { kind emit next subgraph_node_2 }
         node subgraph_node_2 { kind emit next END } }`,
      registry,
    );
    expect((await g.invoke({ uniqueStrings: [] })).state.uniqueStrings).toEqual(["foo", "bar", "baz"]);
  });

  // ragraph: the same graph with a real command for the parent (`graph: "PARENT"` here is LangGraph's
  // `Command.PARENT`). LangGraph.js 1.7.3 run on the upstream case with `graph: Command.PARENT` returns
  // `["foo", "baz"]` and streams `{ node_2: {} }`: the parent gets the command's `update` only, not the
  // subgraph's earlier writes ("bar" stays in the subgraph's state). ragraph does the same.
  it("should handle non-overlapping parent command updates (with Command.PARENT: the command's update only)", async () => {
    const registry = standardRegistry();
    const node3Saw: unknown[] = [];
    registry.registerNodeKind("emit", async (t) => ({ writes: (t.node.name === "node_1" ? ["foo"] : t.node.name === "subgraph_node_1" ? ["bar"] : []).map((s) => ["uniqueStrings", [s]] as const) }));
    registry.registerNodeKind("to_parent", async () => ({ graph: "PARENT", writes: [], goto: ["node_3"] }));
    registry.registerNodeKind("node_3", async (t) => (node3Saw.push(t.state.uniqueStrings), { writes: [["uniqueStrings", ["baz"]]] }));
    const g = build(
      `graph main { start node_1 state { uniqueStrings: list<string> union }
         node node_1 { kind emit next node_2 }
         node node_2 { kind subgraph graph "sub" next node_3 }
         node node_3 { kind node_3 next END } }
       graph sub { start subgraph_node_1 state { uniqueStrings: list<string> union }
         node subgraph_node_1 { kind emit next subgraph_node_2 }
         node subgraph_node_2 { kind to_parent } }`,
      registry,
    );
    const events = await eventsOf(g, { uniqueStrings: [] }, { mode: "updates" });
    expect(node3Saw).toEqual([["foo"]]);
    expect((events.at(-1) as Extract<RunEvent, { type: "run_completed" }>).state.uniqueStrings).toEqual(["foo", "baz"]);
    const updates = events.filter((e): e is Extract<RunEvent, { type: "updates" }> => e.type === "updates" && e.depth === 0);
    expect(updates.map((u) => [u.node, u.writes.map((w) => w.value)])).toEqual([["node_1", [["foo"]]], ["node_2", []], ["node_3", [["baz"]]]]);
  });

});

describe("Send carrying a Command", () => {
  // upstream: tests/pregel.test.ts "should handle send sequences correctly"
  it("should handle send sequences correctly", async () => {
    const registry = standardRegistry();
    const label = (t: { node: { name: string }; args?: unknown }) => (t.args === undefined ? t.node.name : `${t.node.name}|${JSON.stringify(t.args)}`);
    registry.registerNodeKind("one", async () => ({
      writes: [["items", "1"]],
      goto: [
        { node: "two", args: "cmd3", command: { goto: [{ node: "two", args: 3 }] } },
        { node: "two", args: "cmd4", command: { goto: [{ node: "two", args: 4 }] } },
        "n3_1",
      ],
    }));
    registry.registerNodeKind("label", async (t) => ({ writes: [["items", label(t).replace(/^n3_1$/, "3.1").replace(/^n3$/, "3").replace(/^two/, "2")]] }));
    const g = build(
      `graph g { start n1 state { items: list<string> append }
         node n1 { kind one } node two { kind label next n3 } node n3 { kind label next END } node n3_1 { kind label next END } }`,
      registry,
    );
    const events = await eventsOf(g, { items: ["0"] });
    expect(nodesPerStep(events)).toEqual([["n1"], ["two", "two", "n3_1"], ["two", "n3", "two"], ["n3"]]);
    // upstream: [0, 1, 3.1, 2|cmd3, 2|cmd4, 3, 2|3, 2|4, 3] — the same writes per step; ragraph applies
    // a step's writes in task order (the packets' tasks first, a goto's new packets before the edge's n3)
    expect((events.at(-1) as Extract<RunEvent, { type: "run_completed" }>).state.items).toEqual(["0", "1", '2|"cmd3"', '2|"cmd4"', "3.1", "2|3", "3", "2|4", "3"]);
  });

  // upstream: tests/pregel.test.ts "should handle send sequences correctly" (the Command's update part)
  it("a Send's Command update is written with the task's writes", async () => {
    const registry = standardRegistry();
    registry.registerNodeKind("fan", async () => ({ goto: [{ node: "work", args: 1, command: { update: { notes: "from-command" } } }] }));
    registry.registerNodeKind("work", async (t) => ({ writes: [["notes", `work:${String(t.args)}`]] }));
    const g = build(`graph g { start a state { notes: list<string> append } node a { kind fan } node work { kind work } }`, registry);
    expect((await g.invoke({})).state.notes).toEqual(["work:1", "from-command"]);
  });
});
