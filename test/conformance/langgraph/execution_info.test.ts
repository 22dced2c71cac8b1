/**
 * Ported from LangGraph.js `libs/langgraph-core/src/tests/execution_info.test.ts`
 * ("ExecutionInfo"): what a node learns about the task it runs. LangGraph's
 * `runtime.executionInfo` is the `NodeTask` a node kind receives: `task.run.threadId`,
 * `task.taskId`, `task.run.checkpointNs`, `task.attempt`. LangGraph's `checkpointId` and
 * `nodeFirstAttemptTime` have no counterpart (a task sees the step it runs in,
 * `task.run.step`). The "ServerInfo" cases (assistant and graph ids of LangGraph Platform)
 * are not ported (README.md).
 */
import { describe, expect, it } from "vitest";
import type { NodeTask } from "../../../registry/index.js";
import { MemoryCheckpointer, NodeError } from "../../../runtime/index.js";
import { buildGraph } from "../../helpers/run-graph.js";
import { compile, world } from "./helpers.js";

type Info = { threadId: string; taskId: string; checkpointNs: string; attempt: number; step: number };
const infoOf = (t: NodeTask): Info => ({ threadId: t.run.threadId, taskId: t.taskId, checkpointNs: t.run.checkpointNs, attempt: t.attempt, step: t.run.step });

function capturing() {
  const { registry } = world();
  const captured: Record<string, Info> = {};
  registry.registerNodeKind("capture", async (t) => {
    captured[t.node.name] = infoOf(t);
    return { writes: [["message", `from_${t.node.name}`]] };
  });
  return { registry, captured };
}

describe("ExecutionInfo", () => {
  // upstream: tests/execution_info.test.ts "should populate executionInfo fields when running with a checkpointer"
  it("should populate executionInfo fields when running with a checkpointer", async () => {
    const { registry, captured } = capturing();
    const g = compile(`graph g { start capture state { message: string } node capture { kind capture next END } }`, registry);
    await g.invoke({ message: "hi" }, { threadId: "t-123" });
    expect(captured.capture).toEqual({ threadId: "t-123", taskId: expect.any(String), checkpointNs: "", attempt: 1, step: 1 });
  });

  // upstream: tests/execution_info.test.ts "should populate executionInfo without a checkpointer (threadId undefined)"
  it("should populate executionInfo without a checkpointer (threadId undefined)", async () => {
    const { registry, captured } = capturing();
    // ragraph: a run without a thread id gets a fresh one (every run has a thread), not undefined
    const { graph } = buildGraph(`graph g { start capture state { message: string } node capture { kind capture next END } }`, { registry });
    const r = await graph.invoke({ message: "hi" });
    expect(captured.capture).toMatchObject({ threadId: r.threadId, checkpointNs: "", attempt: 1 });
    expect(captured.capture.taskId).toBeTruthy();
  });

  // upstream: tests/execution_info.test.ts "should increment nodeAttempt on retry"
  it("should increment nodeAttempt on retry", async () => {
    const { registry } = world();
    const infos: Info[] = [];
    registry.registerNodeKind("failing", async (t) => {
      infos.push(infoOf(t));
      if (infos.length < 2) throw new NodeError("Intentional failure", "retryable");
      return { writes: [["message", "success"]] };
    });
    const g = compile(`graph g { start failing state { message: string }
      node failing { kind failing retry { max_attempts: 3, initial: 10ms, jitter: false } next END } }`, registry);
    const r = await g.invoke({ message: "" }, { threadId: "retry-thread" });
    expect(r.state.message).toBe("success");
    expect(infos.map((i) => [i.threadId, i.attempt])).toEqual([
      ["retry-thread", 1],
      ["retry-thread", 2],
    ]);
    expect(infos[0].taskId).toBe(infos[1].taskId);
  });

  // upstream: tests/execution_info.test.ts "should populate executionInfo for subgraph nodes"
  it("should populate executionInfo for subgraph nodes", async () => {
    const { registry, captured } = capturing();
    const { graph } = buildGraph(
      `graph main { start main_node state { message: string }
         node main_node { kind capture next subgraph }
         node subgraph { kind subgraph graph "sub" input { message: state.message } writes { message: result.message } next END } }
       graph sub { start sub_node state { message: string } output { message: string } node sub_node { kind capture next END } }`,
      { registry, checkpointer: new MemoryCheckpointer() },
    );
    await graph.invoke({ message: "hi" }, { threadId: "sub-thread" });
    expect(captured.main_node).toMatchObject({ threadId: "sub-thread", attempt: 1, checkpointNs: "" });
    expect(captured.sub_node).toMatchObject({ threadId: "sub-thread", attempt: 1 });
    // ragraph's child namespace is `taskId:graph` (difference 19): the task that ran the subgraph node, then the graph
    const s = await graph.getState("sub-thread", undefined, { subgraphs: true });
    expect(captured.sub_node.checkpointNs).toMatch(/^[^|]+:sub$/);
    const history = await graph.getStateHistory("sub-thread", { namespace: captured.sub_node.checkpointNs });
    expect(history[0].values).toMatchObject({ message: "from_sub_node" });
    expect(s?.values.message).toBe("from_sub_node");
  });
});
