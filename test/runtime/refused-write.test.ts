/**
 * A write the state refuses at the superstep barrier (a value its field's type or reducer
 * cannot take: `InvalidUpdateError`) fails the run at the task that wrote it: the thread
 * shows `failed` with the error (`rag runs` said `resumable`, with no error). A resume
 * applies the saved writes again through the blueprint it is given: the same graph fails
 * the same way without running the task again; a graph whose field takes the value goes on.
 * A write to one of the runtime's own records (a `__name__` channel) is refused in the
 * task, before anything is saved: the run fails, and so does its resume (the write was
 * dropped from the saved record and the resume went on as if it had never been made).
 */
import { describe, expect, it } from "vitest";
import { InvalidUpdateError, NodeError, stepTasks } from "../../runtime/index.js";
import { failedTask, threadStatus } from "../../runtime/checkpoint/types.js";
import { standardRegistry } from "../../stdlib/index.js";
import { useCheckpointerBackends } from "../helpers/backends.js";
import { buildGraph } from "../helpers/run-graph.js";

const backends = useCheckpointerBackends("rag-refused-write-");

describe("a write refused at the barrier fails its task", () => {
  for (const [name, make] of backends)
    it(`${name}: the thread is failed with the error; a resume with the field fixed goes on`, async () => {
      const saver = make();
      const registry = standardRegistry();
      let ran = 0;
      registry.registerNodeKind("count", async () => (ran++, { writes: [["n", "three"]] }));
      const source = (field: string) => `graph g { start a state { n: ${field}, done: boolean } node a { kind count next b } node b { kind set set { done: true } next END } }`;
      const { graph } = buildGraph(source("number sum"), { registry, checkpointer: saver });

      await expect(graph.invoke({}, { threadId: "t" })).rejects.toBeInstanceOf(InvalidUpdateError);
      const t = (await saver.getTuple({ threadId: "t" }))!;
      expect(threadStatus(t)).toBe("failed");
      expect(failedTask(t)?.error).toMatchObject({ code: "invalid_update", node: "a", refused: true });
      expect(stepTasks(t)).toMatchObject([{ node: "a", status: "failed", writes: ["n"], error: { code: "invalid_update" } }]);
      const [thread] = await saver.threads!();
      expect(thread).toMatchObject({ threadId: "t", status: "failed", error: { error: { code: "invalid_update" } } });

      // the same graph: the saved write is refused again; the task does not run again
      await expect(graph.resume("t")).rejects.toBeInstanceOf(InvalidUpdateError);
      expect(ran).toBe(1);
      expect(threadStatus((await saver.getTuple({ threadId: "t" }))!)).toBe("failed");

      // the field fixed to take a string: the resume applies the saved write and goes on
      const fixed = buildGraph(source("string"), { registry, checkpointer: saver }).graph;
      const done = await fixed.resume("t", undefined, { allowBlueprintChange: true });
      expect(done).toMatchObject({ status: "completed", state: { n: "three", done: true } });
      expect(ran).toBe(1);
      expect(threadStatus((await saver.getTuple({ threadId: "t" }))!)).toBe("completed");
      saver.close?.();
    });
});

describe("a write to a runtime record (`__name__`) fails its task, in the run and on resume", () => {
  for (const [name, make] of backends)
    it(`${name}: the node's task fails with a validation error naming it; a resume runs it again and fails the same way`, async () => {
      const saver = make();
      const registry = standardRegistry();
      let ran = 0;
      registry.registerNodeKind("forge", async () => (ran++, { writes: [["n", 1], ["__spend__", { tokens: -1e9, usd: 0 }]] }));
      const { graph } = buildGraph(`graph g { start a state { n: number, done: boolean } node a { kind forge next b } node b { kind set set { done: true } next END } }`, { registry, checkpointer: saver });

      const refused = await graph.invoke({}, { threadId: "t" }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(NodeError);
      expect(refused).toMatchObject({ code: "node", errorClass: "validation", node: "a" });
      expect((refused as Error).message).toContain("wrote `__spend__`");
      const t = (await saver.getTuple({ threadId: "t" }))!;
      expect(threadStatus(t)).toBe("failed");
      expect(t.pendingWrites.some((w) => w.channel === "__spend__" && (w.value as { tokens?: number }).tokens === -1e9)).toBe(false);

      const again = await graph.resume("t").catch((e: unknown) => e);
      expect(again).toBeInstanceOf(NodeError);
      expect(ran).toBe(2);
      expect(threadStatus((await saver.getTuple({ threadId: "t" }))!)).toBe("failed");
      saver.close?.();
    });
});
