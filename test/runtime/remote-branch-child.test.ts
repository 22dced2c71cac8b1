/**
 * `distribute: branches` in child graphs, without Redis: a run hands the `send` branches
 * of its child runs (subgraph nodes, any depth) to its `BranchRunner` too, naming the root
 * blueprint (`root`), the child blueprint (`hash`) and the child run (`child`); with
 * `distribute: "declared"` only a graph that asks (`defaults { distribute: branches }`) and
 * the graphs it runs hand theirs over. The runner here runs each branch with `runBranchAt`
 * against the checkpoint, reaching the child graph from the root along the namespace as a
 * worker does (scale/worker.ts; the Redis/Postgres version is test/scale/distribute-subgraph.test.ts).
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compileGraph } from "../../compiler/index.js";
import { tool } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, MemoryCheckpointer, parseNamespace, runBranchAt, type BranchRef, type BranchRunner } from "../../runtime/index.js";

const registry = registryFromConfig({ tools: { work: tool({ description: "square", schema: z.object({ n: z.number() }), run: ({ n }) => n * n }) } });
const source = (rootDefaults: string, childDefaults: string) => `graph outer {
  start inner
  ${rootDefaults}
  input { items: list<number> }
  state { total: number = 0 }
  node inner { kind subgraph graph "mid" input { items: input.items } writes { total: result.total } next END }
}
graph mid {
  start call
  input { items: list<number> }
  state { total: number = 0 }
  output { total: number }
  node call { kind subgraph graph "fan" input { items: input.items } writes { total: result.total } next END }
}
graph fan {
  start split
  ${childDefaults}
  input { items: list<number> }
  state { squares: list<number> append  total: number = 0 }
  output { total: number }
  node split { kind set send [w { n: x } for x in input.items -> squares] join sum }
  node w { kind tool tool "work" }
  node sum { kind set set { total: sum(state.squares) } next END }
}`;

function setup(src: string) {
  const r = compileGraph(src, { file: "outer.rag", graph: "outer", registry: registry.view() });
  const graphs = new Map(r.compilation.blueprints.map((b) => [b.id, b]));
  const saver = new MemoryCheckpointer();
  const root = new CompiledGraph(r.value!, { registry, graphs, checkpointer: saver });
  const refs: BranchRef[] = [];
  const runner: BranchRunner = {
    async run(b) {
      refs.push(b);
      // As a worker: the root named by the job, then the graphs its namespace names.
      expect(b.root).toBe(root.blueprint.hash);
      let g = root;
      for (const level of parseNamespace(b.namespace)) g = g.subgraph(level.graph)!;
      expect(g.blueprint.hash).toBe(b.hash);
      const tuple = (await saver.getTuple({ threadId: b.threadId, namespace: b.namespace, checkpointId: b.checkpointId }))!;
      const { result, writes } = await runBranchAt(g, tuple, b.taskId, { signal: new AbortController().signal, ...(b.child ? { child: b.child } : {}) });
      if (writes) await saver.putWrites({ threadId: b.threadId, namespace: b.namespace, checkpointId: b.checkpointId }, writes, b.taskId);
      return result;
    },
  };
  return { root, graphs, runner, refs };
}

describe("distributed branches of child runs", () => {
  it("a fan-out two subgraph levels down is handed over, naming root, child blueprint and child run; state as without a runner", async () => {
    const { root, graphs, runner, refs } = setup(source("", ""));
    const expected = await root.invoke({ items: [1, 2, 3] }, { threadId: "plain" });
    const r = await root.invoke({ items: [1, 2, 3] }, { threadId: "t", branches: runner });
    expect(r.state).toEqual(expected.state);
    expect(r.state.total).toBe(14);
    expect(refs).toHaveLength(3);
    for (const ref of refs) {
      expect(ref).toMatchObject({ hash: graphs.get("fan")!.hash, root: root.blueprint.hash, node: "w", child: { depth: 2, namespace: "outer/mid/fan" } });
      expect(ref.namespace).toMatch(/^1\.0:mid\|1\.0\/1\.0:fan$/);
    }
  });

  it("with distribute `declared`, a child that asks hands its branches over; when no graph asks, none is", async () => {
    const asks = setup(source("", "defaults { distribute: branches }"));
    const asksRun = await asks.root.invoke({ items: [1, 2] }, { threadId: "t", branches: asks.runner, distribute: "declared" });
    expect(asks.refs).toHaveLength(2);
    // The handed-over branches' results reach the state.
    expect([asksRun.status, asksRun.state.total]).toEqual(["completed", 5]);
    const inherits = setup(source("defaults { distribute: branches }", ""));
    const inheritsRun = await inherits.root.invoke({ items: [1, 2] }, { threadId: "t", branches: inherits.runner, distribute: "declared" });
    expect(inherits.refs).toHaveLength(2);
    // The handed-over branches' results reach the state.
    expect([inheritsRun.status, inheritsRun.state.total]).toEqual(["completed", 5]);
    const none = setup(source("", ""));
    const r = await none.root.invoke({ items: [1, 2] }, { threadId: "t", branches: none.runner, distribute: "declared" });
    expect(none.refs).toHaveLength(0);
    expect(r.state.total).toBe(5);
  });
});
