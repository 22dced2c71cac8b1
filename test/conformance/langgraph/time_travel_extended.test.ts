/**
 * Ported from LangGraph.js `libs/langgraph-core/src/tests/time_travel_extended.test.ts`
 * ("Replay and fork basics", "Interrupt replay and fork"). LangGraph's
 * `invoke(null, {checkpoint_id})` is `graph.invoke(null, {threadId, checkpointId})`;
 * `updateState(config, values)` on an older checkpoint is `updateState(thread, values,
 * {checkpointId})`. Subgraph cases are listed in README.md.
 */
import { describe, expect, it } from "vitest";
import type { CompiledGraph } from "../../../runtime/index.js";
import { compile, world } from "./helpers.js";

const AB = `graph g { start node_a state { value: list<string> append } node node_a { kind push next node_b } node node_b { kind push next END } }`;
const ASK = `graph g { start node_a state { value: list<string> append } node node_a { kind push next ask_human } node ask_human { kind ask next node_b } node node_b { kind push next END } }`;

/** The oldest checkpoint whose next tasks include `node`. */
async function beforeNode(g: CompiledGraph, thread: string, node: string): Promise<string> {
  const h = await g.getStateHistory(thread);
  return h.filter((s) => s.next.some((t) => t.node === node)).at(-1)!.checkpointId;
}

describe("Replay and fork basics", () => {
  // upstream: tests/time_travel_extended.test.ts "should rerun nodes after checkpoint on replay"
  it("should rerun nodes after checkpoint on replay", async () => {
    const { registry, called } = world();
    const g = compile(AB, registry);
    expect((await g.invoke({}, { threadId: "t" })).state.value).toEqual(["node_a", "node_b"]);
    const before = await beforeNode(g, "t", "node_b");
    called.length = 0;
    const replay = await g.invoke(null, { threadId: "t", checkpointId: before });
    expect(replay.state.value).toEqual(["node_a", "node_b"]);
    expect(called).toEqual(["node_b"]);
  });

  // upstream: tests/time_travel_extended.test.ts "should no-op when replaying from final checkpoint"
  it("should no-op when replaying from final checkpoint", async () => {
    const { registry, called } = world();
    const g = compile(AB, registry);
    await g.invoke({}, { threadId: "t" });
    const s = (await g.getState("t"))!;
    expect(s.next).toEqual([]);
    called.length = 0;
    const replay = await g.invoke(null, { threadId: "t", checkpointId: s.checkpointId });
    expect(replay.state.value).toEqual(["node_a", "node_b"]);
    expect(called).toEqual([]);
  });

  // upstream: tests/time_travel_extended.test.ts "should rerun with modified state on fork"
  it("should rerun with modified state on fork", async () => {
    const { registry, called } = world();
    const g = compile(AB, registry);
    await g.invoke({}, { threadId: "t" });
    const before = await beforeNode(g, "t", "node_b");
    called.length = 0;
    await g.updateState("t", { value: "x" }, { checkpointId: before });
    const r = await g.invoke(null, { threadId: "t" });
    expect(called).toContain("node_b");
    expect(r.state.value).toEqual(["node_a", "x", "node_b"]);
  });

  // upstream: tests/time_travel_extended.test.ts "should create independent branches from multiple forks"
  it("should create independent branches from multiple forks", async () => {
    const { registry } = world();
    const g = compile(AB, registry);
    await g.invoke({}, { threadId: "t" });
    const before = await beforeNode(g, "t", "node_b");
    await g.updateState("t", { value: "fork1" }, { checkpointId: before });
    const r1 = await g.invoke(null, { threadId: "t" });
    await g.updateState("t", { value: "fork2" }, { checkpointId: before });
    const r2 = await g.invoke(null, { threadId: "t" });
    expect(r1.state.value).toContain("fork1");
    expect(r1.state.value).not.toContain("fork2");
    expect(r2.state.value).toContain("fork2");
    expect(r2.state.value).not.toContain("fork1");
  });

  // upstream: tests/time_travel_extended.test.ts "should preserve original checkpoints when fork creates branch"
  it("should preserve original checkpoints when fork creates branch", async () => {
    const { registry } = world();
    const g = compile(AB, registry);
    await g.invoke({}, { threadId: "t" });
    const original = (await g.getStateHistory("t")).map((s) => s.checkpointId);
    const before = await beforeNode(g, "t", "node_b");
    await g.updateState("t", { value: "x" }, { checkpointId: before });
    await g.invoke(null, { threadId: "t" });
    const after = (await g.getStateHistory("t")).map((s) => s.checkpointId);
    for (const id of original) expect(after).toContain(id);
    expect(after.length).toBeGreaterThan(original.length);
  });
});

describe("Interrupt replay and fork", () => {
  // upstream: tests/time_travel_extended.test.ts "should produce stable interrupt results across repeated replays"
  it("should produce stable interrupt results across repeated replays", async () => {
    const { registry } = world();
    const g = compile(ASK, registry);
    await g.invoke({}, { threadId: "t" });
    await g.resume("t", { value: "cached_answer" });
    const before = await beforeNode(g, "t", "ask_human");
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await g.invoke(null, { threadId: "t", checkpointId: before }));
    for (const r of results) {
      expect(r.status).toBe("interrupted");
      expect(r.interrupts.map((i) => i.payload)).toEqual(["ask_human?"]);
    }
    expect(new Set(results.map((r) => JSON.stringify(r.state.value))).size).toBe(1);
  });

  // upstream: tests/time_travel_extended.test.ts "should re-fire interrupt on fork from before interrupt"
  it("should re-fire interrupt on fork from before interrupt", async () => {
    const { registry } = world();
    const g = compile(ASK, registry);
    await g.invoke({}, { threadId: "t" });
    await g.resume("t", { value: "hello" });
    const before = await beforeNode(g, "t", "ask_human");
    await g.updateState("t", { value: "forked" }, { checkpointId: before });
    const r = await g.invoke(null, { threadId: "t" });
    expect(r.status).toBe("interrupted");
    expect(r.interrupts[0]?.payload).toBe("ask_human?");
    const final = await g.resume("t", { value: "world" });
    expect(final.state.value).toEqual(["node_a", "forked", "human:world", "node_b"]);
  });

  // upstream: tests/time_travel_extended.test.ts "should fork from between sequential interrupts preserving first answer"
  it("should fork from between sequential interrupts preserving first answer", async () => {
    const { registry, called } = world();
    const src = `graph g { start node_a state { value: list<string> append }
      node node_a { kind push next interrupt_1 } node interrupt_1 { kind ask next interrupt_2 }
      node interrupt_2 { kind ask next node_b } node node_b { kind push next END } }`;
    const g = compile(src, registry);
    await g.invoke({}, { threadId: "t" });
    await g.resume("t", { value: "ans1" });
    await g.resume("t", { value: "ans2" });
    const between = await beforeNode(g, "t", "interrupt_2");
    const beforeI1 = await beforeNode(g, "t", "interrupt_1");
    await g.updateState("t", { value: "mid_fork" }, { checkpointId: between });
    const forked = await g.invoke(null, { threadId: "t" });
    expect(forked.interrupts[0]?.payload).toBe("interrupt_2?");
    const final = await g.resume("t", { value: "new_b" });
    expect(final.state.value).toContain("human:new_b");
    expect(final.state.value).toContain("human:ans1");
    called.length = 0;
    const replay = await g.invoke(null, { threadId: "t", checkpointId: beforeI1 });
    expect(replay.interrupts[0]?.payload).toBe("interrupt_1?");
    expect(called).toContain("interrupt_1");
    expect(called).not.toContain("interrupt_2");
  });

  // upstream: tests/time_travel_extended.test.ts "should re-fire first interrupt when replaying before multi-interrupt node"
  it("should re-fire first interrupt when replaying before multi-interrupt node", async () => {
    const { registry } = world();
    registry.registerNodeKind("ask2", async (t) => {
      const a1 = t.interrupt<string>("First question?");
      const a2 = t.interrupt<string>("Second question?");
      return { writes: [["value", [`a1:${a1}`, `a2:${a2}`]]] };
    });
    const g = compile(`graph g { start ask state { value: list<string> append } node ask { kind ask2 next after } node after { kind push next END } }`, registry);
    let r = await g.invoke({}, { threadId: "t" });
    expect(r.interrupts[0]?.payload).toBe("First question?");
    r = await g.resume("t", { value: "ans1" });
    expect(r.interrupts[0]?.payload).toBe("Second question?");
    r = await g.resume("t", { value: "ans2" });
    expect(r.state.value).toEqual(["a1:ans1", "a2:ans2", "after"]);
    const before = await beforeNode(g, "t", "ask");
    const replay = await g.invoke(null, { threadId: "t", checkpointId: before });
    expect(replay.interrupts[0]?.payload).toBe("First question?");
  });

  // upstream: tests/time_travel_extended.test.ts "should retrigger interrupt on update_state with null values"
  it("should retrigger interrupt on update_state with null values", async () => {
    const { registry } = world();
    const g = compile(ASK, registry);
    await g.invoke({}, { threadId: "t" });
    await g.resume("t", { value: "first" });
    const before = await beforeNode(g, "t", "ask_human");
    await g.updateState("t", null, { checkpointId: before });
    const r = await g.invoke(null, { threadId: "t" });
    expect(r.status).toBe("interrupted");
    expect(r.interrupts[0]?.payload).toBe("ask_human?");
  });
});

describe("Interrupt replay and fork (continued)", () => {
  // upstream: tests/time_travel_extended.test.ts "should re-fire interrupt on fork from interrupt checkpoint"
  // (the question is a pending write of the checkpoint its step ran from: here the checkpoint
  // that paused is the one before `ask_human`; once answered it no longer lists the question)
  it("should re-fire interrupt on fork from interrupt checkpoint", async () => {
    const { registry } = world();
    const g = compile(ASK, registry);
    await g.invoke({}, { threadId: "t" });
    const paused = (await g.getState("t"))!;
    expect(paused.interrupts.map((i) => i.node)).toEqual(["ask_human"]);
    await g.resume("t", { value: "hello" });
    expect(await beforeNode(g, "t", "ask_human")).toBe(paused.checkpointId);
    await g.updateState("t", { value: "forked" }, { checkpointId: paused.checkpointId });
    const r = await g.invoke(null, { threadId: "t" });
    expect(r.status).toBe("interrupted");
    const final = await g.resume("t", { value: "different" });
    expect(final.state.value).toContain("human:different");
    expect(final.state.value).not.toContain("human:hello");
  });
});

describe("Copy fork and update_state", () => {
  // upstream: tests/time_travel_extended.test.ts "should retrigger interrupt on __copy__ fork"
  // (LangGraph's `updateState(config, null, "__copy__")` copies a checkpoint as a fork; in
  // ragraph a replay saves that copy itself (difference 10), and `fork` copies into a new thread)
  it("should retrigger interrupt on __copy__ fork", async () => {
    const { registry, called } = world();
    const g = compile(ASK, registry);
    await g.invoke({}, { threadId: "t" });
    await g.resume("t", { value: "hello" });
    const before = await beforeNode(g, "t", "ask_human");
    called.length = 0;
    const copy = await g.fork("t", before, "t-copy");
    expect(copy.source).toBe("fork");
    const r = await g.invoke(null, { threadId: "t-copy" });
    expect(r.interrupts.map((i) => i.payload)).toEqual(["ask_human?"]);
    const final = await g.resume("t-copy", { value: "new_answer" });
    expect(final.state.value).toEqual(["node_a", "human:new_answer", "node_b"]);
    expect(called).toEqual(["ask_human", "ask_human", "node_b"]);
  });

  // upstream: tests/time_travel_extended.test.ts "should distinguish __copy__ fork metadata from update fork"
  it("should distinguish __copy__ fork metadata from update fork", async () => {
    const { registry } = world();
    const g = compile(AB, registry);
    await g.invoke({}, { threadId: "t" });
    const before = await beforeNode(g, "t", "node_b");
    const copy = await g.fork("t", before, "t-copy");
    expect((await g.getState("t-copy", copy.checkpointId))!.source).toBe("fork");
    const edited = await g.updateState("t", { value: "x" }, { checkpointId: before });
    expect((await g.getState("t", edited.checkpointId))!.source).toBe("update");
  });
});

describe("Append-only checkpoint history", () => {
  // upstream: tests/time_travel_extended.test.ts "should preserve original checkpoints when replay creates branch"
  // (no `__start__` checkpoint here, difference 3: one checkpoint less on each branch)
  it("should preserve original checkpoints when replay creates branch", async () => {
    const { registry } = world();
    let calls = 0;
    registry.registerNodeKind("count", async () => ({ writes: [["value", `b${++calls}`]] }));
    const g = compile(`graph g { start node_a state { value: list<string> append }
      node node_a { kind set set { value: "a" } next node_b } node node_b { kind count next node_c } node node_c { kind set set { value: "c" } next END } }`, registry);
    expect((await g.invoke({}, { threadId: "t" })).state.value).toEqual(["a", "b1", "c"]);
    const original = await g.getStateHistory("t");
    expect(original.map((s) => s.next.map((t) => t.node))).toEqual([[], ["node_c"], ["node_b"], ["node_a"]]);
    const originalIds = new Set(original.map((s) => s.checkpointId));
    const before = original.find((s) => s.next.some((t) => t.node === "node_b"))!.checkpointId;
    expect((await g.invoke(null, { threadId: "t", checkpointId: before })).state.value).toEqual(["a", "b2", "c"]);
    const post = await g.getStateHistory("t");
    expect(post.map((s) => s.next.map((t) => t.node))).toEqual([[], ["node_c"], ["node_b"], [], ["node_c"], ["node_b"], ["node_a"]]);
    for (const id of originalIds) expect(post.some((s) => s.checkpointId === id)).toBe(true);
    const fork = post.find((s) => s.source === "fork" && !originalIds.has(s.checkpointId))!;
    expect(fork.parentId).toBe(before);
    const latest = (await g.getState("t"))!;
    expect(latest.values).toEqual({ value: ["a", "b2", "c"] });
    expect(originalIds.has(latest.checkpointId)).toBe(false);
  });
});
