/**
 * Ported from LangGraph.js `libs/langgraph-core/src/tests/pregel.test.ts` (StateGraph
 * cases): graphs in `.rag`, node bodies as registered node kinds (ragraph nodes bind
 * kinds, they hold no host code). Deliberate differences are in docs/langgraph-differences.md.
 */
import { describe, expect, it } from "vitest";
import { CheckpointError, InterruptError, InvalidConcurrentUpdateError, NodeError } from "../../../runtime/index.js";
import { buildGraph, eventsOf, failure, nodesPerStep, sleep } from "../../helpers/run-graph.js";
import { compile, world } from "./helpers.js";

describe("StateGraph (pregel.test.ts)", () => {
  // upstream: tests/pregel.test.ts "should raise InvalidUpdateError when the same LastValue channel is updated twice in one iteration"
  it("should raise InvalidUpdateError when the same LastValue channel is updated twice in one iteration", async () => {
    const { registry } = world();
    const g = compile(`graph g { start s state { output: string } node s { kind set set { output: "s" } next [one, two] }
      node one { kind set set { output: "1" } next END } node two { kind set set { output: "2" } next END } }`, registry);
    const err = await failure(g.invoke({}));
    expect(err).toBeInstanceOf(InvalidConcurrentUpdateError);
    expect(err.message).toMatch(/one|two/);
  });

  // upstream: tests/pregel.test.ts "In one fan out state graph waiting edge" (addEdge([a, b], qa) is `join [a, b] -> qa`)
  it("In one fan out state graph waiting edge", async () => {
    const { registry, called } = world();
    const g = compile(`graph g { start rewrite state { value: list<string> append }
      node rewrite { kind push next [analyzer, retriever_one] }
      node analyzer { kind push next retriever_two }
      node retriever_one { kind push }
      node retriever_two { kind push }
      join [retriever_one, retriever_two] -> qa
      node qa { kind push next END } }`, registry);
    const events = await eventsOf(g, {});
    expect(nodesPerStep(events)).toEqual([["rewrite"], ["analyzer", "retriever_one"], ["retriever_two"], ["qa"]]);
    expect(called.filter((n) => n === "qa")).toHaveLength(1);
  });

  // upstream: tests/pregel.test.ts "State graph packets" (several Send branches leading to one node: it runs once in the next step)
  it("State graph packets", async () => {
    const { registry, called } = world();
    const g = compile(`graph g { start s input { items: list<string> } state { value: list<string> append }
      node s { kind set send [w { v: x } for x in input.items] }
      node w { kind set set { value: args.v } next after }
      node after { kind push next END } }`, registry);
    const events = await eventsOf(g, { items: ["a", "b", "c"] });
    expect(nodesPerStep(events)).toEqual([["s"], ["w", "w", "w"], ["after"]]);
    expect(called).toEqual(["after"]);
  });

  // upstream: tests/pregel.test.ts "Allow map reduce flows" (Send fan-out; the reducer collects every branch)
  it("Allow map reduce flows", async () => {
    const { registry } = world();
    const g = compile(`graph g { start gen input { subjects: list<string> } state { jokes: list<string> append  best: string }
      node gen { kind set send [joke { s: x } for x in input.subjects] join best }
      node joke { kind set set { jokes: "joke about " + args.s } }
      node best { kind set set { best: state.jokes[0] } next END } }`, registry);
    const r = await g.invoke({ subjects: ["cats", "dogs"] });
    expect(r.state).toMatchObject({ jokes: ["joke about cats", "joke about dogs"], best: "joke about cats" });
  });

  // upstream: tests/pregel.test.ts "should allow a conditional edge after a send"
  it("should allow a conditional edge after a send", async () => {
    const { registry } = world();
    const g = compile(`graph g { start s input { items: list<number> } state { out: list<number> append }
      node s { kind set send [w { n: x } for x in input.items] }
      node w { kind set set { out: args.n } routes { when args.n > 1 -> big  else -> END } }
      node big { kind set set { out: 100 } next END } }`, registry);
    const r = await g.invoke({ items: [1, 2, 3] });
    // both big branches fire in one step: `big` runs once (fan-in)
    expect(r.state.out).toEqual([1, 2, 3, 100]);
  });

  // upstream: tests/pregel.test.ts "multiple writes to the same channel from same node"
  it("multiple writes to the same channel from same node", async () => {
    const { registry } = world();
    registry.registerNodeKind("twice", async () => ({ writes: [["value", "a"], ["value", "b"]] }));
    const g = compile(`graph g { start n state { value: list<string> append } node n { kind twice next END } }`, registry);
    expect((await g.invoke({})).state.value).toEqual(["a", "b"]);
  });

  // upstream: tests/pregel.test.ts "persist a falsy value"
  it("persist a falsy value", async () => {
    const { registry } = world();
    const g = compile(`graph g { start n state { flag: boolean = true  count: number = 5 } node n { kind set set { flag: false, count: 0 } next END } }`, registry);
    await g.invoke({}, { threadId: "t" });
    expect((await g.getState("t"))!.values).toMatchObject({ flag: false, count: 0 });
  });

  // upstream: tests/pregel.test.ts "should use a retry policy"
  it("should use a retry policy", async () => {
    const { registry } = world();
    let attempts = 0;
    registry.registerNodeKind("flaky", async () => {
      attempts++;
      if (attempts < 3) throw new NodeError("flaky", "retryable");
      return { writes: [["value", "ok"]] };
    });
    const g = compile(`graph g { start n state { value: list<string> append } node n { kind flaky retry { max_attempts: 3, initial: 1ms, backoff: fixed, jitter: false } next END } }`, registry);
    expect((await g.invoke({})).state.value).toEqual(["ok"]);
    expect(attempts).toBe(3);
  });

  // upstream: tests/pregel.test.ts "should handle dynamic interrupt"
  it("should handle dynamic interrupt", async () => {
    const { registry } = world();
    const g = compile(`graph g { start ask state { value: list<string> append } node ask { kind ask next after } node after { kind push next END } }`, registry);
    const r = await g.invoke({}, { threadId: "t" });
    expect(r.status).toBe("interrupted");
    expect(r.interrupts).toMatchObject([{ payload: "ask?", node: "ask" }]);
    expect((await g.resume("t", { value: "yes" })).state.value).toEqual(["human:yes", "after"]);
  });

  // upstream: tests/pregel.test.ts "resume multiple interrupts"
  it("resume multiple interrupts", async () => {
    const { registry } = world();
    const g = compile(`graph g { start s state { value: list<string> append } node s { kind push next [a, b] } node a { kind ask next END } node b { kind ask next END } }`, registry);
    const r = await g.invoke({}, { threadId: "t" });
    expect(r.interrupts.map((i) => i.node)).toEqual(["a", "b"]);
    const done = await g.resume("t", { values: Object.fromEntries(r.interrupts.map((i) => [i.id, `ans-${i.node}`])) });
    expect(done.status).toBe("completed");
    expect(done.state.value).toEqual(["s", "human:ans-a", "human:ans-b"]);
  });

  // upstream: tests/pregel.test.ts "should not cancel node on other node interrupted"
  it("should not cancel node on other node interrupted", async () => {
    const { registry } = world();
    let finished = 0;
    registry.registerNodeKind("slow", async (t) => {
      await sleep(30, t.signal);
      finished++;
      return { writes: [["value", "slow"]] };
    });
    const g = compile(`graph g { start s state { value: list<string> append } node s { kind push next [a, b] } node a { kind ask next END } node b { kind slow next END } }`, registry);
    const r = await g.invoke({}, { threadId: "t" });
    expect(r.status).toBe("interrupted");
    expect(finished).toBe(1);
    // the finished sibling's write shows in the snapshot; it does not run again on resume
    const s = (await g.getState("t"))!;
    expect(s.values.value).toEqual(["s", "slow"]);
    expect(s.next.map((t) => t.node)).toEqual(["a"]);
    await g.resume("t", { value: "ok" });
    expect(finished).toBe(1);
  });

  // upstream: tests/pregel.test.ts "should handle partial pending checkpoint" (a failed step keeps its finished tasks' writes)
  it("should handle partial pending checkpoint", async () => {
    const { registry } = world();
    registry.registerNodeKind("boom", async () => {
      await sleep(10);
      throw new NodeError("boom", "permanent");
    });
    const g = compile(`graph g { start s state { value: list<string> append } node s { kind push next [ok, bad] } node ok { kind push next END } node bad { kind boom next END } }`, registry);
    await failure(g.invoke({}, { threadId: "t" }));
    const s = (await g.getState("t"))!;
    expect(s.status).toBe("failed");
    expect(s.error).toMatchObject({ error: { message: "boom" } });
    expect(s.values.value).toEqual(["s", "ok"]);
    expect(s.next.map((t) => t.node)).toEqual(["bad"]);
  });

  // upstream: tests/pregel.test.ts "can interrupt then update state with asNode of __end__"
  it("can interrupt then update state with asNode of __end__", async () => {
    const { registry } = world();
    const g = compile(`graph g { start a state { value: list<string> append } node a { kind push next b } node b { kind push next END } interrupt before [b] }`, registry);
    const r = await g.invoke({}, { threadId: "t" });
    expect(r.status).toBe("interrupted");
    const u = await g.updateState("t", { value: "edited" }, { asNode: "__end__" });
    expect(u.next).toEqual([]);
    expect(u.status).toBe("completed");
    expect(u.values.value).toEqual(["a", "edited"]);
  });

  // upstream: tests/pregel.test.ts "should fail fast when interrupt is called without a checkpointer"
  it("should fail fast when interrupt is called without a checkpointer", async () => {
    const { registry } = world();
    const { graph } = buildGraph(`graph g { start ask state { value: list<string> append } node ask { kind ask next END } }`, { registry });
    await expect(graph.invoke({})).rejects.toBeInstanceOf(InterruptError);
  });

  // upstream: tests/pregel.test.ts "should throw when resuming without a checkpointer"
  it("should throw when resuming without a checkpointer", async () => {
    const { registry } = world();
    const { graph } = buildGraph(`graph g { start a state { value: list<string> append } node a { kind push next END } }`, { registry });
    await expect(graph.resume("t", { value: 1 })).rejects.toBeInstanceOf(CheckpointError);
  });

  // upstream: tests/pregel.test.ts "test_command_with_static_breakpoints" (resume with Command({resume, update}) in one call)
  it("Command({resume, update}) answers and writes in one call", async () => {
    const { registry } = world();
    const g = compile(`graph g { start ask state { value: list<string> append } node ask { kind ask next END } }`, registry);
    await g.invoke({}, { threadId: "t" });
    const r = await g.resume("t", { value: "yes", update: { value: "pre" } });
    expect(r.state.value).toEqual(["pre", "human:yes"]);
  });
});
