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
  });
}
