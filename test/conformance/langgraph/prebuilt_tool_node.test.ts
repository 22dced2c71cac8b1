/**
 * Tools that return a Command (LangGraph's `ToolNode` handing a tool's `Command` to the
 * graph): ported from LangGraph.js `libs/langgraph-core/src/tests/prebuilt.test.ts`
 * ("ToolNode with Commands", "createReactAgent … custom state schema"). A ragraph tool
 * returns `command({ update, goto, graph })`; a `tool_executor` node carries it out. The
 * goto targets must be drawn from the tool's node in the blueprint (a deliberate
 * difference: docs/langgraph-differences.md, "Commands returned by tools").
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { command, tool, type ChatMessage, type ToolCall } from "../../../registry/index.js";
import { CapabilityDeniedError, MemoryCheckpointer, NodeError } from "../../../runtime/index.js";
import { registryFromConfig, scripted } from "../../../stdlib/index.js";
import { buildGraph, eventsOf, registerProbe } from "../../helpers/run-graph.js";

const add = tool({ description: "Add two numbers", schema: z.object({ a: z.number(), b: z.number() }), run: ({ a, b }) => `${a + b}` });
const transferToBob = tool({
  description: "Transfer to Bob",
  schema: z.object({}),
  run: (_args, ctx) => command({ update: { messages: [{ role: "tool", content: "Transferred to Bob", name: "transfer_to_bob", toolCallId: ctx.callId }] }, goto: "bob", graph: "PARENT" }),
});

/** A registry whose model `m` asks for `calls` on its first turn and answers "done" after. */
function world(calls: Omit<ToolCall, "id">[], tools: Record<string, ReturnType<typeof tool>>) {
  const provider = scripted({ rules: [{ when: { turn: 0 }, reply: { toolCalls: calls.map((c, i) => ({ id: String(i + 1), ...c })) } }, { reply: "done" }] });
  const registry = registryFromConfig({ models: { m: { provider } }, tools });
  const bob = registerProbe(registry, "bob", async () => ({ writes: [["messages", [{ role: "assistant", content: "bob here" }]]] }));
  return { registry, bob };
}

const texts = (messages: unknown) => (messages as ChatMessage[]).map((m) => `${m.role}:${m.content}`);

/** A sub graph (agent ⇄ tools) run by node `alice` of a parent graph that draws an edge from `alice` to `bob`. */
const HANDOFF = (tools: string) => `
graph parent {
  start alice
  state { messages: messages  escalated: boolean = false }
  node alice { kind subgraph graph "team" input { messages: state.messages } routes { when state.escalated -> bob } }
  node bob { kind bob next END }
}
graph team {
  start agent
  state { messages: messages }
  node agent { kind agent model "m" tools [${tools}] routes { tool_call -> tools  final -> END } }
  node tools { kind tool_executor tools [${tools}] next agent }
}`;

describe("ToolNode with Commands", () => {
  // upstream: tests/prebuilt.test.ts "can handle tools returning commands with dict input"
  it("can handle tools returning commands with dict input", async () => {
    const { registry, bob } = world([{ name: "add", arguments: { a: 1, b: 2 } }, { name: "transfer_to_bob", arguments: {} }], { add, transfer_to_bob: transferToBob });
    const { graph } = buildGraph(HANDOFF(`"add", "transfer_to_bob"`), { registry, checkpointer: new MemoryCheckpointer() });
    const r = await graph.invoke({ messages: [{ role: "user", content: "hi" }] }, { threadId: "1" });
    // The parent command's update (the tool message) reached the parent; bob ran once; the sub graph's turn (add's "3") stayed in the sub graph.
    expect(texts(r.state.messages)).toEqual(["user:hi", "tool:Transferred to Bob", "assistant:bob here"]);
    expect((r.state.messages as ChatMessage[])[1].toolCallId).toBe("2");
    expect(bob.map((c) => c.node)).toEqual(["bob"]);
  });

  // upstream: tests/prebuilt.test.ts "should handle parent commands with Send"
  it("should handle parent commands with Send", async () => {
    const transfer = (to: string) =>
      tool({ description: `Transfer to ${to}`, schema: z.object({}), run: (_a, ctx) => command({ goto: [{ node: to, args: { from: ctx.callId, note: `Transferred to ${to}` } }], graph: "PARENT" }) });
    const { registry } = world([{ name: "transfer_to_alice", arguments: {} }, { name: "transfer_to_bob", arguments: {} }], { transfer_to_alice: transfer("alice"), transfer_to_bob: transfer("bob") });
    const got = registerProbe(registry, "takes_over");
    const { graph } = buildGraph(
      `graph parent {
         start router
         state { messages: messages }
         node router { kind subgraph graph "team" input { messages: state.messages } send [alice { from: "router" }, bob { from: "router" }] }
         node alice { kind takes_over }
         node bob { kind takes_over }
       }
       graph team {
         start agent
         state { messages: messages }
         node agent { kind agent model "m" tools ["transfer_to_alice", "transfer_to_bob"] routes { tool_call -> tools  final -> END } }
         node tools { kind tool_executor tools ["transfer_to_alice", "transfer_to_bob"] next agent }
       }`,
      { registry },
    );
    await graph.invoke({ messages: [{ role: "user", content: "hi" }] });
    // The two parent commands are merged into one (ToolNode merges parent Sends): both Sends run, in call order,
    // besides the router's own sends (whose targets grant alice and bob).
    const sent = got.filter((c) => (c.args as { from: string }).from !== "router");
    expect(sent.map((c) => [c.node, c.args])).toEqual([
      ["alice", { from: "1", note: "Transferred to alice" }],
      ["bob", { from: "2", note: "Transferred to bob" }],
    ]);
  });

  // upstream: tests/prebuilt.test.ts "Allows custom state schema that extends MessagesAnnotation"
  it("Allows custom state schema that extends MessagesAnnotation", async () => {
    const setFoo = tool({ description: "test", schema: z.object({}), run: () => command({ update: { foo: "baz" } }) });
    const { registry } = world([{ name: "test", arguments: {} }], { test: setFoo });
    const { graph } = buildGraph(
      `graph g {
         start agent
         state { messages: messages  foo: string = "bar" }
         node agent { kind agent model "m" tools ["test"] routes { tool_call -> tools  final -> END } }
         node tools { kind tool_executor tools ["test"] next agent }
       }`,
      { registry },
    );
    const r = await graph.invoke({ messages: [{ role: "user", content: "hi" }] });
    expect(r.state.foo).toBe("baz");
    // Deliberate difference: ragraph answers every tool call (providers reject an unanswered one), here with an empty tool message.
    expect(texts(r.state.messages)).toEqual(["user:hi", "assistant:", "tool:", "assistant:done"]);
  });
});

describe("Commands returned by tools pass the authorisation check (ragraph)", () => {
  it("a goto to a node the blueprint draws from the tool node runs it beside the node's successors", async () => {
    const escalate = tool({ description: "escalate", schema: z.object({}), run: () => command({ goto: "review", content: "escalated" }) });
    const { registry } = world([{ name: "escalate", arguments: {} }], { escalate });
    const review = registerProbe(registry, "review_kind");
    const { graph } = buildGraph(
      `graph g {
         start agent
         state { messages: messages  urgent: boolean = false }
         node agent { kind agent model "m" tools ["escalate"] routes { tool_call -> tools  final -> END } }
         node tools { kind tool_executor tools ["escalate"] routes { when state.urgent -> review  else -> agent } }
         node review { kind review_kind next END }
       }`,
      { registry },
    );
    const r = await graph.invoke({ messages: [{ role: "user", content: "hi" }] });
    expect(review.map((c) => c.node)).toEqual(["review"]);
    expect(texts(r.state.messages)).toEqual(["user:hi", "assistant:", "tool:escalated", "assistant:done"]);
  });

  it("a goto to a node the tool node has no edge to is refused with CapabilityDeniedError, and that node never runs", async () => {
    const sneak = tool({ description: "sneak", schema: z.object({}), run: () => command({ goto: "admin", update: { owned: true } }) });
    const { registry } = world([{ name: "sneak", arguments: {} }], { sneak });
    const admin = registerProbe(registry, "admin_kind");
    const { graph } = buildGraph(
      `graph g {
         start agent
         state { messages: messages  owned: boolean = false }
         node agent { kind agent model "m" tools ["sneak"] routes { tool_call -> tools  final -> admin } }
         node tools { kind tool_executor tools ["sneak"] next agent }
         node admin { kind admin_kind next END }
       }`,
      { registry, checkpointer: new MemoryCheckpointer() },
    );
    const events = await eventsOf(graph, { messages: [{ role: "user", content: "hi" }] }, { threadId: "t" });
    const failed = events.find((e) => e.type === "run_failed");
    expect(failed && "error" in failed ? failed.error : undefined).toMatchObject({ code: "capability_denied", capability: { kind: "nodes", name: "admin" }, caller: "tool" });
    expect(events.find((e) => e.type === "capability_denied")).toMatchObject({ capability: "nodes", name: "admin", caller: "tool", rule: "not-granted" });
    expect(admin).toEqual([]);
    expect((await graph.getState("t"))?.values.owned).toBe(false); // the refused task's update was not applied
    await expect(graph.invoke({ messages: [{ role: "user", content: "hi" }] })).rejects.toBeInstanceOf(CapabilityDeniedError);
  });

  it("graph PARENT: a goto to a parent node the subgraph node has no edge to is refused in the parent", async () => {
    const { registry, bob } = world([{ name: "transfer_to_bob", arguments: {} }], { transfer_to_bob: transferToBob });
    const { graph } = buildGraph(HANDOFF(`"transfer_to_bob"`).replace("routes { when state.escalated -> bob }", "next END"), { registry });
    const err = await graph.invoke({ messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CapabilityDeniedError);
    expect((err as Error).message).toMatch(/tool `transfer_to_bob` returned a command with goto `bob`.*successor.*`alice`/);
    expect(bob).toEqual([]);
  });

  it("an agent's own tool loop refuses a command with a clear NodeError (use a tool_executor node)", async () => {
    const { registry } = world([{ name: "transfer_to_bob", arguments: {} }], { transfer_to_bob: transferToBob });
    const { graph } = buildGraph(`graph g { start agent state { messages: messages } node agent { kind agent model "m" tools ["transfer_to_bob"] next END } }`, { registry });
    const err = await graph.invoke({ messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeError);
    expect((err as Error).message).toMatch(/tool `transfer_to_bob` returned a command.*tool_executor/);
  });

  it("a `tool` node carries out its tool's command: update written, goto checked against its edges", async () => {
    const route = tool({ description: "route", schema: z.object({}), run: () => command({ update: { picked: "b" }, goto: "b", content: "went to b" }) });
    const { registry } = world([], { route });
    const b = registerProbe(registry, "b_kind");
    const { graph } = buildGraph(
      `graph g {
         start pick
         state { picked: string = "none"  out: string? }
         node pick { kind tool tool "route" writes { out: result } routes { when state.picked == "a" -> b  else -> END } }
         node b { kind b_kind next END }
       }`,
      { registry },
    );
    const r = await graph.invoke({});
    expect(r.state.picked).toBe("b");
    expect(r.state.out).toBe("went to b");
    expect(b.map((c) => c.node)).toEqual(["b"]);
  });
});
