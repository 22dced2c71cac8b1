/**
 * A task's completion record (`__task__`, pending writes of the checkpoint its superstep
 * ran from) keeps how long it ran and its model calls — model, agent, tokens, cost,
 * latency; no prompt, no reply — in a SQLite file, so a thread's timeline can show them
 * after the process that ran it is gone. A task that made no call keeps one number.
 * Records saved without these facts (older versions) read as having none.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SPECIAL, SqliteCheckpointer, taskFacts, MAX_LISTED_CALLS } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { fakeModel } from "../helpers/fake-model.js";
import { buildGraph, eventsOf } from "../helpers/run-graph.js";

const dir = mkdtempSync(join(tmpdir(), "rag-task-usage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source = `graph g {
  start split
  input { items: list<string> }
  state { out: list<string> append  n: number = 0 }
  node split { kind set set { n: 1 } send [worker { item: x } for x in input.items] join done }
  node worker { kind model model "m" prompt "Summarize the secret {{ args.item }}" writes out }
  node done { kind set set { n: len(state.out) } next END }
}`;

describe("a task's completion record", () => {
  it("is saved in SQLite with its duration and each model call's model, tokens and cost, but no prompt or reply", async () => {
    const file = join(dir, "a.sqlite");
    const registry = standardRegistry();
    const fake = fakeModel({ content: "the reply text", usage: { inputTokens: 12, outputTokens: 34 } });
    registry.registerModel("m", { provider: fake.provider, modelId: "fake-1", price: { inputPerMTok: 1, outputPerMTok: 2 } });
    const saver = new SqliteCheckpointer(file);
    const { graph } = buildGraph(source, { registry, checkpointer: saver });
    // Streamed with events (as the studio and `rag run` run): every completed task's record is saved.
    const events = await eventsOf(graph, { items: ["alpha", "beta"] }, { threadId: "t" });
    expect(events.at(-1)!.type).toBe("run_completed");
    saver.close();

    // Read back through another handle: the facts are in the file, not in this process.
    const reader = new SqliteCheckpointer(file);
    try {
      const history = await reader.list("t");
      const fromSplit = history.find((h) => h.checkpoint.next.some((t) => t.node === "worker"))!;
      const records = fromSplit.pendingWrites.filter((w) => w.channel === SPECIAL.task);
      expect(records).toHaveLength(2);
      for (const r of records) {
        const done = r.value as { ok: boolean; ms?: unknown; usage?: unknown };
        expect(done.ok).toBe(true);
        expect(typeof done.ms).toBe("number");
        expect(done.usage).toEqual({ inputTokens: 12, outputTokens: 34, costUsd: (12 * 1 + 34 * 2) / 1e6, callCount: 1, calls: [{ model: "m", inputTokens: 12, outputTokens: 34, costUsd: (12 * 1 + 34 * 2) / 1e6, durationMs: expect.any(Number) as number }] });
        // (the task's result is the reply, as before; its usage keeps neither the prompt nor the reply)
        expect(JSON.stringify(done.usage)).not.toMatch(/secret|the reply text/);
      }
      const facts = taskFacts(fromSplit.pendingWrites);
      expect([...facts.values()].map((f) => f.usage?.callCount)).toEqual([1, 1]);

      // A task that called no model keeps its duration only.
      const fromInput = history.at(-1)!;
      const split = fromInput.pendingWrites.find((w) => w.channel === SPECIAL.task)!.value as Record<string, unknown>;
      expect(Object.keys(split).sort()).toEqual(["ms", "ok"]);
      expect(taskFacts(fromInput.pendingWrites).get(fromInput.checkpoint.next[0].id)).toEqual({ durationMs: split.ms });
    } finally {
      reader.close();
    }
  });

  it("of a task that ran a child run counts the child's model calls, marked with its graph, beside its own", async () => {
    const registry = standardRegistry();
    const fake = fakeModel({ content: "r", usage: { inputTokens: 5, outputTokens: 7 } });
    registry.registerModel("m", { provider: fake.provider, modelId: "fake-1" });
    const saver = new SqliteCheckpointer(join(dir, "b.sqlite"));
    const nested = `graph outer {
  start call
  state { out: string }
  node call { kind subgraph graph "inner" input { q: "x" } next END }
}
graph inner {
  start a
  input { q: string }
  state { out: string }
  node a { kind model model "m" prompt "one {{ input.q }}" writes out next b }
  node b { kind subgraph graph "leaf" input { q: "y" } next END }
}
graph leaf {
  start c
  input { q: string }
  state { out: string }
  node c { kind model model "m" prompt "two" writes out next END }
}`;
    try {
      const { graph } = buildGraph(nested, { registry, checkpointer: saver, graph: "outer" });
      const events = await eventsOf(graph, {}, { threadId: "nested" });
      expect(events.at(-1)!.type).toBe("run_completed");
      const root = (await saver.list("nested")).find((h) => h.checkpoint.next.some((t) => t.node === "call"))!;
      const facts = taskFacts(root.pendingWrites).get(root.checkpoint.next[0].id)!;
      // Both calls of the child runs (inner's own and its leaf's), each marked with the graph whose task made it.
      expect(facts.usage).toMatchObject({ inputTokens: 10, outputTokens: 14, callCount: 2 });
      expect(facts.usage!.calls.map((c) => [c.model, c.graph])).toEqual([["m", "inner"], ["m", "leaf"]]);
      // The child's own task records keep their calls, unmarked.
      const ns = `${root.checkpoint.next[0].id}:inner`;
      const inner = (await saver.list("nested", { namespace: ns })).find((h) => h.checkpoint.next.some((t) => t.node === "a"))!;
      expect(taskFacts(inner.pendingWrites).get(inner.checkpoint.next[0].id)!.usage!.calls).toEqual([{ model: "m", inputTokens: 5, outputTokens: 7, durationMs: expect.any(Number) as number }]);
    } finally {
      saver.close();
    }
  });

  it("reads a record saved without them (older versions) as having none, and drops figures that are not counts", () => {
    const old = { taskId: "1.0", channel: SPECIAL.task, value: { ok: true, result: "x" } };
    const bad = { taskId: "1.1", channel: SPECIAL.task, value: { ok: true, ms: -5, usage: { inputTokens: "9", outputTokens: 1, callCount: 1, calls: [] } } };
    const many = { taskId: "1.2", channel: SPECIAL.task, value: { ok: true, ms: 7, usage: { inputTokens: 1, outputTokens: 1, callCount: 500, calls: Array.from({ length: 500 }, () => ({ model: "m".repeat(1000), inputTokens: 1, outputTokens: 1, durationMs: 1, prompt: "kept out" })) } } };
    const facts = taskFacts([old, bad, many] as never);
    expect(facts.has("1.0")).toBe(false);
    expect(facts.has("1.1")).toBe(false);
    const m = facts.get("1.2")!;
    expect(m.durationMs).toBe(7);
    expect(m.usage!.callCount).toBe(500);
    expect(m.usage!.calls).toHaveLength(MAX_LISTED_CALLS);
    expect(m.usage!.calls[0].model.length).toBeLessThanOrEqual(120);
    expect(m.usage!.calls[0]).not.toHaveProperty("prompt");
  });
});
