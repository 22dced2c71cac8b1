/**
 * Ported from LangGraph.js `libs/langgraph-core/src/tests/python_port/checkpoint.test.ts`
 * (pending writes, running from a checkpoint id, recovery after failures), against the
 * in-memory and the SQLite checkpointer.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileGraph } from "../../../compiler/index.js";
import { CompiledGraph, MemoryCheckpointer, NodeError, SqliteCheckpointer, type Checkpointer } from "../../../runtime/index.js";
import { failure, sleep } from "../../helpers/run-graph.js";
import { world } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "rag-lg-ckpt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const savers: [string, () => Checkpointer][] = [
  ["memory", () => new MemoryCheckpointer()],
  ["sqlite", () => new SqliteCheckpointer(join(dir, `c${n++}.db`))],
];

/** Upstream's `Channel.subscribeTo(["input"]).join(["total"])` node: `total` sums what it is written. */
const TOTAL = `graph g { start one input { input: number } state { total: number sum  output: number } node one { kind add_one next END } }`;

function countBy(xs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

for (const [name, make] of savers) {
  describe(`checkpoint (${name})`, () => {
    // upstream: tests/python_port/checkpoint.test.ts "should test pending writes resume functionality"
    it("should test pending writes resume functionality", async () => {
      const { registry, called } = world();
      let fail = true;
      registry.registerNodeKind("flaky", async () => {
        await sleep(10);
        if (fail) throw new NodeError("flaky failed", "permanent");
        return { writes: [["value", "two"]] };
      });
      const bp = compileGraph(`graph g { start s state { value: list<string> append } node s { kind push next [one, two] } node one { kind push next END } node two { kind flaky next END } }`, { registry: registry.view() }).value!;
      const g = new CompiledGraph(bp, { registry, checkpointer: make() });
      await failure(g.invoke({}, { threadId: "t" }));
      const s = (await g.getState("t"))!;
      expect(s.values.value).toEqual(["s", "one"]);
      expect(s.next.map((t) => t.node)).toEqual(["two"]);
      fail = false;
      called.length = 0;
      const r = await g.resume("t");
      expect(r.state.value).toEqual(["s", "one", "two"]);
      expect(called).toEqual([]); // `one` finished before the failure: not run again
    });

    // upstream: tests/python_port/checkpoint.test.ts "should test that running from a checkpoint ID retains previous writes"
    it("should test that running from a checkpoint ID retains previous writes", async () => {
      const { registry } = world();
      const bp = compileGraph(`graph g { start a state { value: list<string> append } node a { kind push next b } node b { kind push next END } }`, { registry: registry.view() }).value!;
      const g = new CompiledGraph(bp, { registry, checkpointer: make() });
      await g.invoke({}, { threadId: "t" });
      const afterA = (await g.getStateHistory("t")).find((h) => h.next.some((t) => t.node === "b"))!;
      const r = await g.invoke(null, { threadId: "t", checkpointId: afterA.checkpointId });
      expect(r.state.value).toEqual(["a", "b"]);
    });

    // upstream: tests/python_port/checkpoint.test.ts "should recover from checkpoints after failures with async nodes"
    it("should recover from checkpoints after failures with async nodes", async () => {
      const { registry } = world();
      let calls = 0;
      registry.registerNodeKind("once_fails", async () => {
        await sleep(1);
        if (calls++ === 0) throw new NodeError("first call fails", "permanent");
        return { writes: [["value", "recovered"]] };
      });
      const bp = compileGraph(`graph g { start a state { value: list<string> append } node a { kind push next b } node b { kind once_fails next END } }`, { registry: registry.view() }).value!;
      const g = new CompiledGraph(bp, { registry, checkpointer: make() });
      await failure(g.invoke({}, { threadId: "t" }));
      expect((await g.getState("t"))!.status).toBe("failed");
      expect((await g.resume("t")).state.value).toEqual(["a", "recovered"]);
    });

    // upstream: tests/python_port/checkpoint.test.ts "should test invoke checkpoint functionality"
    // (upstream's low-level Pregel channels as a graph: `total` sums, each run adds `total + input`)
    it("should test invoke checkpoint functionality", async () => {
      const { registry } = world();
      let erroredOnce = false;
      registry.registerNodeKind("add_one", async (t) => {
        const x = (t.state.total as number) + (t.input.input as number);
        if (x > 4 && !erroredOnce) {
          erroredOnce = true;
          throw new NodeError("ConnectionError: I will be retried", "retryable");
        }
        if (x > 10) throw new NodeError("ValueError: Input is too large", "permanent");
        return { writes: [["output", x], ["total", x]] };
      });
      const source = TOTAL.replace("state {", "defaults { retry: { max_attempts: 3, initial: 10ms, max: 40ms, jitter: false } } state {");
      const g = new CompiledGraph(compileGraph(source, { registry: registry.view() }).value!, { registry, checkpointer: make() });
      expect((await g.invoke({ input: 2 }, { threadId: "1" })).state.output).toBe(2);
      expect((await g.getState("1"))!.values.total).toBe(2);
      expect((await g.invoke({ input: 3 }, { threadId: "1" })).state.output).toBe(5);
      expect(erroredOnce).toBe(true);
      expect((await g.getState("1"))!.values.total).toBe(7);
      expect((await failure(g.invoke({ input: 4 }, { threadId: "1" }))).message).toMatch(/ValueError/);
      expect((await g.getState("1"))!.values.total).toBe(7);
      expect((await g.invoke({ input: 5 }, { threadId: "2" })).state.output).toBe(5);
      expect((await g.getState("1"))!.values.total).toBe(7);
      expect((await g.getState("2"))!.values.total).toBe(5);
    });

    // upstream: tests/python_port/checkpoint.test.ts "should test invoke checkpoint functionality with multiple operations"
    it("should test invoke checkpoint functionality with multiple operations", async () => {
      const { registry } = world();
      registry.registerNodeKind("add_one", async (t) => {
        const x = (t.state.total as number) + (t.input.input as number);
        if (x > 10) throw new NodeError("ValueError: Input is too large", "permanent");
        return { writes: [["output", x], ["total", x]] };
      });
      const g = new CompiledGraph(compileGraph(TOTAL, { registry: registry.view() }).value!, { registry, checkpointer: make() });
      expect((await g.invoke({ input: 2 }, { threadId: "1" })).state.output).toBe(2);
      const s1 = (await g.getState("1"))!;
      expect(s1.values.total).toBe(2);
      expect((await g.invoke({ input: 3 }, { threadId: "1" })).state.output).toBe(5);
      expect((await g.getState("1"))!.values.total).toBe(7);
      await failure(g.invoke({ input: 4 }, { threadId: "1" }));
      const s3 = (await g.getState("1"))!;
      expect(s3.values.total).toBe(7);
      expect(s3.next.map((t) => t.node)).toEqual(["one"]);
      // new input recovers from the failure
      expect((await g.invoke({ input: 2 }, { threadId: "1" })).state.output).toBe(9);
      const s4 = (await g.getState("1"))!;
      expect(s4.values.total).toBe(16);
      expect(s4.next).toEqual([]);
      expect((await g.invoke({ input: 5 }, { threadId: "2" })).state.output).toBe(5);
      expect((await g.getState("1"))!.values.total).toBe(16);
      expect((await g.getState("2"))!).toMatchObject({ values: { total: 5 }, next: [] });

      expect(await g.getStateHistory("1", { limit: 1 })).toHaveLength(1);
      const history = await g.getStateHistory("1");
      // one `input` checkpoint per run (no `__start__` checkpoint: difference 3), one `loop` per finished step
      expect(history).toHaveLength(7);
      expect(countBy(history.map((h) => h.source))).toEqual({ input: 4, loop: 3 });
      const cursored = await g.getStateHistory("1", { limit: 1, before: history[0].checkpointId });
      expect(cursored.map((h) => h.checkpointId)).toEqual([history[1].checkpointId]);
      expect(history[0].values.total).toBe(16);
      expect(history.at(-2)!.values.total).toBe(2);
      expect((await g.getState("1", history[1].checkpointId))!.checkpointId).toBe(history[1].checkpointId);

      const updated = await g.updateState("1", { total: 10 }, { checkpointId: history[1].checkpointId });
      const after = await g.getStateHistory("1");
      expect(after).toHaveLength(8);
      expect(countBy(after.map((h) => h.source))).toEqual({ update: 1, input: 4, loop: 3 });
      expect(await g.getState("1")).toEqual(await g.getState("1", updated.checkpointId));
    });

    // upstream: tests/python_port/checkpoint.test.ts "should handle checkpoint with null pending writes"
    // (upstream's saver drops pending writes from what it returns; here each run on the thread adds to its list)
    it("should handle checkpoint with null pending writes", async () => {
      const { registry } = world();
      const g = new CompiledGraph(compileGraph(`graph g { start n1 state { value: list<string> append } node n1 { kind set set { value: "1" } next END } }`, { registry: registry.view() }).value!, { registry, checkpointer: make() });
      for (let i = 1; i <= 4; i++) expect((await g.invoke({ value: [] }, { threadId: "foo" })).state.value).toEqual(Array(i).fill("1"));
    });
  });
}
