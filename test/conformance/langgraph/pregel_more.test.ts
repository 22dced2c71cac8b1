/**
 * More ported cases of LangGraph.js `libs/langgraph-core/src/tests/pregel.test.ts`
 * (sequences, branches, checkpoints history, stream modes, recursion limit, goto), split
 * from `pregel.test.ts` to keep files small.
 */
import { describe, expect, it } from "vitest";
import { RecursionLimitError, type RunEvent } from "../../../runtime/index.js";
import { MemoryCheckpointer } from "../../../runtime/index.js";
import { standardRegistry } from "../../../stdlib/index.js";
import { buildGraph, eventsOf, failure, nodesPerStep, sleep } from "../../helpers/run-graph.js";
import { compile, world } from "./helpers.js";

describe("StateGraph (pregel.test.ts, continued)", () => {
  // upstream: tests/pregel.test.ts "should invoke two processes and get correct output"
  it("should invoke two processes and get correct output", async () => {
    const { registry } = world();
    const g = compile(`graph g { start one state { n: number = 0 } node one { kind set set { n: state.n + 1 } next two } node two { kind set set { n: state.n + 1 } next END } }`, registry);
    expect((await g.invoke({ n: 2 })).state.n).toBe(4);
  });

  // upstream: tests/pregel.test.ts "should finish executing without output"
  it("should finish executing without output", async () => {
    const { registry } = world();
    const g = compile(`graph g { start a state { value: list<string> append } node a { kind push next END } }`, registry);
    const r = await g.invoke({});
    expect(r.status).toBe("completed");
    expect(r.output).toBeNull();
  });

  // upstream: tests/pregel.test.ts "StateGraph branch then node"
  it("StateGraph branch then node", async () => {
    const { registry, called } = world();
    const g = compile(`graph g { start rewrite input { q: string } state { value: list<string> append }
      node rewrite { kind push routes { when input.q == "a" -> analyzer  else -> retriever } }
      node analyzer { kind push next retriever } node retriever { kind push next qa } node qa { kind push next END } }`, registry);
    await g.invoke({ q: "a" });
    expect(called).toEqual(["rewrite", "analyzer", "retriever", "qa"]);
    called.length = 0;
    await g.invoke({ q: "b" });
    expect(called).toEqual(["rewrite", "retriever", "qa"]);
  });

  // upstream: tests/pregel.test.ts "should handle checkpoints correctly"
  it("should handle checkpoints correctly", async () => {
    const { registry } = world();
    const g = compile(`graph g { start a state { value: list<string> append } node a { kind push next b } node b { kind push next END } }`, registry);
    await g.invoke({}, { threadId: "t" });
    const h = await g.getStateHistory("t");
    expect(h.map((s) => [s.step, s.source])).toEqual([[2, "loop"], [1, "loop"], [0, "input"]]);
    for (let i = 0; i + 1 < h.length; i++) expect(h[i].parentId).toBe(h[i + 1].checkpointId);
    expect(h[0].values.value).toEqual(["a", "b"]);
  });

  // upstream: tests/pregel.test.ts "checkpoint events"
  it("checkpoint events", async () => {
    const { registry } = world();
    const g = compile(`graph g { start a state { value: list<string> append } node a { kind push next b } node b { kind push next END } }`, registry);
    const events = await eventsOf(g, {}, { threadId: "t" });
    expect(events.filter((e) => e.type === "checkpoint_saved").map((e) => (e as Extract<RunEvent, { type: "checkpoint_saved" }>).source)).toEqual(["input", "loop", "loop"]);
  });

  // upstream: tests/pregel.test.ts "streams updates as soon as they are available"
  it("streams updates as soon as they are available", async () => {
    const { registry } = world();
    const seen: string[] = [];
    // `slow` finishes only once the consumer has received `fast`'s update (or after 15 s,
    // which a stream holding updates until the step ends would need): no timing involved.
    let fastSeenFirst = false;
    registry.registerNodeKind("slow", async () => {
      for (const end = Date.now() + 15_000; !seen.includes("fast") && Date.now() < end; ) await sleep(5);
      fastSeenFirst = seen.includes("fast");
      return { writes: [["value", "slow"]] };
    });
    const g = compile(`graph g { start s state { value: list<string> append } node s { kind push next [fast, slow] } node fast { kind push next END } node slow { kind slow next END } }`, registry);
    for await (const e of g.stream({}, { mode: "updates" })) if (e.type === "updates") seen.push(e.node!);
    expect(seen).toEqual(["s", "fast", "slow"]);
    expect(fastSeenFirst).toBe(true);
  });

  // upstream: tests/pregel.test.ts "multiple stream mode"
  it("multiple stream mode", async () => {
    const { registry } = world();
    const g = compile(`graph g { start a state { value: list<string> append } node a { kind push next END } }`, registry);
    const types: string[] = [];
    for await (const e of g.stream({}, { mode: ["values", "updates"] })) types.push(e.type);
    expect(types).toEqual(["values", "updates", "values", "run_completed"]);
  });

  // upstream: tests/pregel.test.ts "streamMode should be respected"
  it("streamMode should be respected", async () => {
    const { registry } = world();
    const g = compile(`graph g { start a state { value: list<string> append } node a { kind push next b } node b { kind push next END } }`, registry);
    const values: unknown[] = [];
    for await (const e of g.stream({}, { mode: "values" })) if (e.type === "values") values.push(e.values.value);
    expect(values).toEqual([[], ["a"], ["a", "b"]]);
  });

  // upstream: tests/pregel.test.ts "should pass recursion limit set via .withConfig"
  it("should pass recursion limit set via .withConfig", async () => {
    const { registry } = world();
    const g = compile(`graph g { start a state { value: list<string> append } node a { kind push routes { when len(state.value) > 100 -> END  else -> a } } }`, registry);
    const err = await failure(g.invoke({}, { recursionLimit: 5 }));
    expect(err).toBeInstanceOf(RecursionLimitError);
  });

  // upstream: tests/pregel.test.ts "can goto an interrupt"
  it("can goto an interrupt", async () => {
    const { registry } = world();
    const g = compile(`graph g { start a state { value: list<string> append } node a { kind push command { goto ask } } node ask { kind ask next END } }`, registry);
    const r = await g.invoke({}, { threadId: "t" });
    expect(r.status).toBe("interrupted");
    expect((await g.resume("t", { value: "x" })).state.value).toEqual(["a", "human:x"]);
  });

  // upstream: tests/pregel.test.ts "should allow undefined values returned in a node update"
  it("should allow undefined values returned in a node update", async () => {
    const { registry } = world();
    registry.registerNodeKind("nothing", async () => ({}));
    const g = compile(`graph g { start a state { keep: string = "x" } node a { kind nothing next END } }`, registry);
    expect((await g.invoke({})).state.keep).toBe("x");
  });

  // upstream: tests/pregel.test.ts "test_concurrent_emit_sends" (many sends in one step; each packet is its own task, in send order)
  it("test_concurrent_emit_sends", async () => {
    const { registry } = world();
    const g = compile(`graph g { start s input { items: list<number> } state { out: list<number> append }
      node s { kind set send [w { n: x } for x in input.items] } node w { kind set set { out: args.n } } }`, registry);
    const events = await eventsOf(g, { items: [1, 2, 3, 4, 5] }, { concurrency: 2 });
    expect(nodesPerStep(events)).toEqual([["s"], ["w", "w", "w", "w", "w"]]);
    expect((events.at(-1) as Extract<RunEvent, { type: "run_completed" }>).state.out).toEqual([1, 2, 3, 4, 5]);
  });

  // upstream: tests/pregel.test.ts "should interrupt and resume with Command inside a subgraph"
  it("should interrupt and resume with Command inside a subgraph", async () => {
    const registry = standardRegistry();
    registry.registerNodeKind("ask_resume", async (t) => {
      const answer = t.interrupt<string>("<INTERRUPTED>");
      if (answer !== "<RESUMED>") throw new Error("Expected interrupt to return <RESUMED>");
      const messages = [{ role: "user", content: "success" }];
      return { result: messages, writes: [["messages", messages]] };
    });
    const seen: number[] = [];
    registry.registerNodeKind("check_two", async (t) => {
      seen.push((t.state.messages as unknown[]).length);
      if ((t.state.messages as unknown[]).length !== 1) throw new Error(`Expected 1 message, got ${(t.state.messages as unknown[]).length}`);
      return {};
    });
    const { graph: g } = buildGraph(
      `graph parent { start one state { messages: messages }
         node one { kind set set { } next subgraph }
         node subgraph { kind subgraph graph "sub" input { messages: state.messages } writes { messages: result } next two }
         node two { kind check_two next END } }
       graph sub { start one state { messages: messages } node one { kind ask_resume } }`,
      { registry, checkpointer: new MemoryCheckpointer() },
    );
    const first = await g.invoke({ messages: [] }, { threadId: "test_subgraph_interrupt_resume" });
    expect(first.status).toBe("interrupted");
    const paused = await g.getState("test_subgraph_interrupt_resume");
    expect(paused?.interrupts).toHaveLength(1);
    expect(paused?.interrupts[0]).toMatchObject({ payload: "<INTERRUPTED>" });
    const r = await g.resume("test_subgraph_interrupt_resume", { value: "<RESUMED>" });
    expect(r.status).toBe("completed");
    expect((await g.getState("test_subgraph_interrupt_resume"))?.next).toEqual([]);
    expect(r.state.messages).toHaveLength(1);
    expect(seen).toEqual([1]);
  });

  // ragraph (issue 11 §1.3): an edit of a paused thread keeps its pending interrupt unless the edit answers it
  it("updateState on a paused thread keeps the pending interrupt; resuming then answers it", async () => {
    const { registry } = world();
    const g = compile(`graph g { start ask state { value: list<string> append } node ask { kind ask next after } node after { kind push next END } }`, registry);
    await g.invoke({}, { threadId: "t" });
    await g.updateState("t", { value: "edited" });
    const s = await g.getState("t");
    expect(s?.interrupts).toMatchObject([{ payload: "ask?", node: "ask" }]);
    expect(s?.values.value).toEqual(["edited"]);
    const r = await g.resume("t", { value: "yes" });
    expect(r.state.value).toEqual(["edited", "human:yes", "after"]);
  });
});
