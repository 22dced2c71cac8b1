/**
 * `persistent true` subgraph nodes (`docs/runtime.md`, "Persistent subgraphs"): what the
 * LangGraph.js conformance cases (test/conformance/langgraph/stateful_subgraphs.test.ts)
 * do not cover — two calls in one superstep refused, a run without a checkpointer refused,
 * the child read and edited by namespace, and time travel into a persistent child's
 * checkpoint, which leaves the original branch as it was.
 */
import { describe, expect, it } from "vitest";
import type { NodeTask } from "../../registry/index.js";
import { ConcurrentSubgraphError, MemoryCheckpointer, NodeError } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { buildGraph, failure } from "../helpers/run-graph.js";

const SOURCE = `
graph parent { start sub_node state { results: list<string> append }
  node sub_node { kind subgraph graph "sub" persistent true input { } next END } }
graph sub { start step_a state { value: list<string> append }
  node step_a { kind ask next END } }`;

function setup(source = SOURCE, checkpointer: MemoryCheckpointer | null = new MemoryCheckpointer()) {
  const registry = standardRegistry();
  const started: string[][] = [];
  registry.registerNodeKind("ask", async (t: NodeTask) => {
    started.push([...((t.state.value as string[] | null) ?? [])]);
    const answer = t.interrupt<string>("question");
    return { writes: [["value", `a:${answer}`]] };
  });
  const { graph } = buildGraph(source, { registry, ...(checkpointer ? { checkpointer } : {}) });
  return { g: graph, started };
}

/** Two calls, answered `a1` and `a2`. */
async function twoCalls(g: ReturnType<typeof setup>["g"]) {
  await g.invoke({}, { threadId: "t" });
  await g.resume("t", { value: "a1" });
  await g.invoke({}, { threadId: "t" });
  await g.resume("t", { value: "a2" });
}

describe("persistent subgraph nodes", () => {
  it("refuse a second call of the node in the same superstep (ConcurrentSubgraphError)", async () => {
    const { g } = setup(`
graph parent { start fan state { results: list<string> append }
  node fan { kind set send [sub_node { n: x } for x in [1, 2]] }
  node sub_node { kind subgraph graph "sub" persistent true next END } }
graph sub { start s state { value: list<string> append } input { n: integer }
  node s { kind set set { value: ["s"] } next END } }`);
    const e = await failure(g.invoke({}, { threadId: "t" }));
    expect(e).toBeInstanceOf(ConcurrentSubgraphError);
    expect(e).toMatchObject({ code: "concurrent_subgraph", node: "sub_node", namespace: "sub_node:sub", tasks: ["2.0", "2.1"] });
    expect(e.message).toContain("was called by 2 tasks in one superstep (2.0, 2.1)");
  });

  for (const durability of ["sync", "async", "exit"] as const) {
    it(`keep their state from call to call with \`${durability}\` checkpoints`, async () => {
      const { g, started } = setup();
      for (const answer of ["a1", "a2"]) {
        await g.invoke({}, { threadId: "t", durability });
        await g.resume("t", { value: answer }, { durability });
      }
      await g.invoke({}, { threadId: "t", durability });
      expect(started.at(-1)).toEqual(["a:a1", "a:a2"]);
    });
  }

  it("need a checkpointer: without one the call fails naming the node", async () => {
    const { g } = setup(SOURCE.replace("kind ask", "kind set set { value: [\"s\"] }"), null);
    const e = await failure(g.invoke({}));
    expect(e).toBeInstanceOf(NodeError);
    expect(e.message).toContain("node `sub_node` is `persistent true`");
  });

  it("are read by node path or full namespace, nested in getState({ subgraphs }), and edited by namespace", async () => {
    const { g, started } = setup();
    await g.invoke({}, { threadId: "t" });
    await g.resume("t", { value: "a1" });
    await g.invoke({}, { threadId: "t" });
    // Paused in the second call: the pending task's child is the node's one namespace.
    const parent = (await g.getState("t", undefined, { subgraphs: true }))!;
    const [taskId] = parent.next.map((x) => x.id);
    expect(parent.subgraphs?.[taskId]).toMatchObject({ namespace: "sub_node:sub", values: { value: ["a:a1"] }, next: [{ node: "step_a" }] });
    expect((await g.getState("t", undefined, { namespace: "sub_node" }))!.namespace).toBe("sub_node:sub");
    // Both calls' checkpoints, in one namespace: first call (input, done), second call (input).
    expect((await g.getStateHistory("t", { namespace: "sub_node:sub" })).map((s) => s.metadata.source)).toEqual(["input", "loop", "input"]);
    // An edit of the child's head is what the paused call continues from.
    await g.updateState("t", { value: ["edited"] }, { namespace: "sub_node" });
    started.length = 0;
    const done = await g.resume("t", { value: "a2" });
    expect(done.status).toBe("completed");
    expect(started).toEqual([["a:a1", "edited"]]);
    expect((await g.getState("t", undefined, { namespace: "sub_node" }))!.values).toEqual({ value: ["a:a1", "edited", "a:a2"] });
  });

  it("travel to a checkpoint of an earlier call: the call asks again on a new branch; the original keeps its state", async () => {
    const { g, started } = setup();
    await twoCalls(g);
    const history = await g.getStateHistory("t", { namespace: "sub_node" });
    // Newest first: second call (done, step_a pending, input), first call (done, step_a pending, input).
    const firstCallPaused = history.filter((s) => s.next.some((x) => x.node === "step_a")).at(-1)!;
    expect(firstCallPaused.values).toEqual({ value: [] });
    started.length = 0;
    const travel = await g.invoke(null, { threadId: "t", checkpointNs: "sub_node", checkpointId: firstCallPaused.checkpointId });
    expect(travel.status).toBe("interrupted");
    expect(started).toEqual([[]]);
    const answered = await g.resume("t", { value: "b1" });
    expect(answered.status).toBe("completed");
    // The new branch's child: the first call answered differently, and nothing of the second.
    const branch = (await g.getState("t", undefined, { namespace: "sub_node" }))!;
    expect(branch.namespace).toMatch(/^sub_node:sub@/);
    expect(branch.values).toEqual({ value: ["a:b1"] });
    // The next call on that branch continues it.
    started.length = 0;
    await g.invoke({}, { threadId: "t" });
    expect(started).toEqual([["a:b1"]]);
    // The original branch's namespace is untouched.
    expect((await g.getState("t", undefined, { namespace: "sub_node:sub" }))!.values).toEqual({ value: ["a:a1", "a:a2"] });
  });
});
