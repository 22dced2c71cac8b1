/**
 * `distribute: branches`: a branch job names a thread, a checkpoint, a task and a
 * blueprint hash. A forged (or stale) job naming another blueprint — one the worker has
 * compiled, with a node of the same name bound to a more powerful tool — must not run
 * that node on this thread's state: `runBranchAt` refuses a checkpoint made by another
 * blueprint (the worker's check of the job's source against its hash is in
 * test/scale/queue.test.ts).
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compileGraph } from "../../compiler/index.js";
import { tool } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { BranchError, CompiledGraph, MemoryCheckpointer, runBranchAt, type BranchRef } from "../../runtime/index.js";

const fired: string[] = [];
const registry = registryFromConfig({
  tools: {
    work: tool({ description: "square", schema: z.object({ n: z.number() }), run: ({ n }) => n * n }),
    refund: tool({ description: "refund", schema: z.object({}).passthrough(), run: () => (fired.push("refund"), 0) }),
  },
});
const fan = (toolName: string) => `graph fan {
  start split
  defaults { distribute: branches }
  input { items: list<number> }
  state { squares: list<number> append }
  node split { kind set send [w { n: x } for x in input.items -> squares] join done }
  node w { kind tool tool "${toolName}" }
  node done { kind set next END }
}`;

describe("a forged branch job cannot run another blueprint's node on a thread", () => {
  it("runBranchAt refuses a checkpoint made by another blueprint; the right blueprint still runs the branch", async () => {
    const saver = new MemoryCheckpointer();
    const real = compileGraph(fan("work"), { file: "fan.rag", graph: "fan", registry: registry.view() }).value!;
    const other = compileGraph(fan("refund"), { file: "fan.rag", graph: "fan", registry: registry.view() }).value!;
    expect(other.hash).not.toBe(real.hash);
    const refs: BranchRef[] = [];
    const g = new CompiledGraph(real, { registry, checkpointer: saver });
    await g.invoke({ items: [2] }, { threadId: "t", branches: { run: async (b) => (refs.push(b), { error: { code: "held", message: "held for the test" } }) } }).catch(() => undefined);
    expect(refs.length).toBe(1);
    const ref = refs[0];
    const tuple = (await saver.getTuple({ threadId: ref.threadId, namespace: ref.namespace, checkpointId: ref.checkpointId }))!;
    const forged = new CompiledGraph(other, { registry, checkpointer: saver });
    await expect(runBranchAt(forged, tuple, ref.taskId, { signal: new AbortController().signal })).rejects.toThrow(BranchError);
    expect(fired).toEqual([]);
    const ok = await runBranchAt(g, tuple, ref.taskId, { signal: new AbortController().signal });
    expect(ok.result).toMatchObject({ record: { writes: [["squares", 4]] } });
  });
});
