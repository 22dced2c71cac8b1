/**
 * What a long run keeps alive: a superstep's own objects are garbage once the step is
 * over. (Each task used to race the run's abort promise, which never settles in a run
 * that is not cancelled: every race left a reaction on it holding the task's result
 * until the run ended — a thousand supersteps kept a thousand results, promises and
 * closures alive, each surviving and slowing the young-generation collections.)
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { CompiledGraph, END, GraphBuilder, MemoryCheckpointer, t } from "../../index.js";
import { standardRegistry } from "../../stdlib/index.js";

/** `gc()` without `--expose-gc` on the command line (the flag set at run time, read by a new context). */
function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** `node_0 → … → node_{n-1} → END` of `probe` nodes, with a messages channel. */
function chain(n: number) {
  let b = new GraphBuilder("chain").state({ messages: t.messages() }) as GraphBuilder<object, object, string>;
  for (let i = 0; i < n; i++) b = b.node(`node_${i}`, { kind: "probe" });
  b = b.start("node_0");
  for (let i = 0; i < n; i++) b = b.next(`node_${i}`, i + 1 < n ? `node_${i + 1}` : END);
  return b.build();
}

describe("a long run keeps no finished superstep alive", () => {
  for (const checkpointed of [false, true]) {
    it(`the results of earlier supersteps' tasks are collectable mid-run${checkpointed ? " (with a checkpointer)" : ""}`, async () => {
      const gc = collector();
      const results: WeakRef<object>[] = [];
      let alive = -1;
      const registry = standardRegistry();
      registry.registerNodeKind("probe", async () => {
        // A turn of the event loop per step: a WeakRef's target is kept until the job that made it ends.
        await new Promise((r) => setImmediate(r));
        const result = {};
        results.push(new WeakRef(result));
        if (results.length === 150) {
          gc();
          alive = results.slice(0, 100).filter((r) => r.deref() !== undefined).length;
        }
        return result;
      });
      const graph = new CompiledGraph(chain(200), { registry });
      const options = { recursionLimit: 1000, mode: "updates" as const, ...(checkpointed ? { checkpointer: new MemoryCheckpointer(), threadId: "retention" } : {}) };
      let updates = 0;
      for await (const e of graph.stream({ messages: [] }, options)) if (e.type === "updates") updates++;
      expect(updates).toBe(200);
      expect(alive).toBe(0);
    });
  }

  it("a run cancelled mid-step still ends the running task's wait at once", async () => {
    const registry = standardRegistry();
    let started = 0;
    registry.registerNodeKind("probe", () => {
      started++;
      return started === 3 ? new Promise(() => {}) : Promise.resolve({}); // the third step never settles by itself
    });
    const graph = new CompiledGraph(chain(5), { registry });
    const controller = new AbortController();
    const run = graph.invoke({ messages: [] }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toBe(3);
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: "cancelled" });
  });
});
