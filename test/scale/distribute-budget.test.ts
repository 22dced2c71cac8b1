/**
 * Budgets over `distribute: branches`, against the machine's real Redis and Postgres.
 * Before, a branch run on a worker of the pool was charged to a ledger of that worker
 * alone, started from zero: the thread's ledger never learnt what its branches spent (a
 * node after the join spent a budget the branches had used up), and branches handed over
 * one after another each had the whole budget. Now a branch job carries the thread's
 * spend at the hand-over, the worker saves the branch's `__spend__` record against the
 * step's checkpoint before each call and reports what it spent with its result, and the
 * run charges it to the thread's ledger (`runtime/remote-branch.ts`, `docs/security.md`).
 *
 * The model reports 300 tokens a call (10 in, 290 out); the budget middleware estimates
 * a call at about 260 tokens. Two workers with their own checkpointer connections stand
 * for two machines. Own key prefix, queue and schema, removed after.
 */
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { defineConfig } from "../../index.js";
import { SpendBook, type ModelProvider } from "../../registry/index.js";
import { spentAt } from "../../runtime/checkpoint/types.js";
import { CompiledGraph, MemoryCheckpointer, runBranchAt, type BranchRef, type BranchResult, type BranchRunner } from "../../runtime/index.js";
import type { PostgresCheckpointer, QueueRunSubmitter } from "../../scale/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { missingServices, uniqueName } from "../helpers/services.js";
import { usePool } from "../helpers/distributed-pool.js";

const skip = await missingServices(["postgres", "redis"]);
const schema = uniqueName("rag_dbud");
const prefix = uniqueName("ragdb");

/** How long a model call takes (ms). */
let callMs = 20;
/** Runs inside each model call (a test looks at the store while the call is in flight). */
let duringCall: (() => Promise<void>) | undefined;
/** Model calls made, by the node that made them (every worker's registry shares it). */
const calls: string[] = [];
const provider: ModelProvider = {
  name: "fake",
  async chat(req) {
    calls.push(req.messages.map((m) => m.content).join(" "));
    await duringCall?.();
    await new Promise((ok) => setTimeout(ok, callMs));
    return { message: { content: "ok" }, usage: { inputTokens: 10, outputTokens: 290 }, finishReason: "stop" };
  },
};
const registryFor = () => registryFromConfig(defineConfig({ models: { m: { provider } } }));

/** Six branches, one model call each, handed over `concurrency` at a time; then one more call after the join. */
const fan = (budget: number, concurrency: number) => `graph fan {
  start split
  budget { tokens: ${budget} }
  defaults { distribute: branches }
  input { items: list<number> }
  state { outs: list<any> append  last: any }
  node split { kind set send [w { n: x } for x in input.items -> outs] concurrency ${concurrency} join after }
  node w { model "m" prompt "branch {{ args.n }}" }
  node after { model "m" prompt "after" writes last next END }
}
`;
/** The same fan-out inside a child graph: its branches are charged to the root run's ledger. */
const nested = (budget: number) => `graph outer {
  start s
  budget { tokens: ${budget} }
  input { items: list<number> }
  state { last: any }
  node s { kind subgraph graph "fan" input { items: input.items } next after }
  node after { model "m" prompt "after" writes last next END }
}
${fan(1_000_000, 6)}`;

let savers: PostgresCheckpointer[] = [];
let submitter: QueueRunSubmitter;
usePool({ schema, prefix, registryFor }, skip, (pool) => ({ savers, submitter } = pool));

async function run(source: string, graph: string, items: number[], threadId = uniqueName("t")) {
  const c = compileGraph(source, { file: `${graph}.rag`, graph, registry: registryFor().view() });
  if (!c.value) throw new Error(JSON.stringify(c.diagnostics.map((d) => d.message)));
  const bp = c.value;
  calls.length = 0;
  const h = await submitter.submit({ kind: "run", source, file: `${graph}.rag`, graph, hash: bp.hash, input: { items }, threadId });
  const out = await submitter.outcome(h.runId);
  const t = (await savers[0].getTuple({ threadId }))!;
  return { out, threadId, spent: spentAt(t), calls: [...calls] };
}

describe.skipIf(skip)("budgets over distributed branches", () => {
  it("branches handed over one at a time each see what the earlier ones spent: 3 calls fit in 1,000 tokens, not 6", async () => {
    const r = await run(fan(1000, 1), "fan", [1, 2, 3, 4, 5, 6]);
    expect(r.calls.length).toBe(3);
    expect(r.out).toMatchObject({ status: "failed" });
    expect(JSON.stringify(r.out)).toMatch(/budget exceeded/);
    // The thread recorded all three (and the refused fourth's nothing).
    expect(r.spent.tokens).toBe(900);
  }, 30_000);

  it("what concurrent branches spent is the thread's: the node after the join is refused, and the checkpoint records it", async () => {
    // 6 × 300 = 1,800 of 2,000: every branch fits on its own; the call after the join does not.
    const r = await run(fan(2000, 6), "fan", [1, 2, 3, 4, 5, 6]);
    expect(r.calls.filter((c) => c.includes("branch")).length).toBe(6);
    expect(r.calls.filter((c) => c.includes("after"))).toEqual([]);
    expect(r.out).toMatchObject({ status: "failed" });
    expect(JSON.stringify(r.out)).toMatch(/budget exceeded/);
    expect(r.spent.tokens).toBe(1800);
  }, 30_000);

  it("concurrent branches see each other's calls in flight, on one worker and across the pool: at most 3 calls in all fit in 1,000 tokens (2 workers × 4 branch slots)", async () => {
    // Calls of 300 ms: a worker's four slots all start before any of their calls ends.
    callMs = 300;
    const r = await run(fan(1000, 16), "fan", Array.from({ length: 16 }, (_, i) => i + 1)).finally(() => (callMs = 20));
    expect(r.out).toMatchObject({ status: "failed" });
    expect(JSON.stringify(r.out)).toMatch(/budget exceeded/);
    expect(r.calls.length).toBeLessThanOrEqual(3);
    expect(r.calls.length).toBeGreaterThan(0); // refused after spending, not before any call
  }, 30_000);

  it("a branch's reservation is in Postgres before its call is made (a worker that dies mid-call leaves it counted), and each attempt keeps one record", async () => {
    const seen: number[] = [];
    const threadId = uniqueName("t");
    duringCall = async () => {
      const rows = await savers[0].pool.query(`SELECT value FROM "${schema}".writes WHERE thread_id = $1 AND channel = '__spend__' AND task_id LIKE 'spend:%:%'`, [threadId]);
      seen.push(rows.rows.reduce((n: number, r: { value: string }) => n + (JSON.parse(r.value) as { tokens: number }).tokens, 0));
    };
    try {
      const r = await run(fan(1_000_000, 1), "fan", [1], threadId);
      expect(r.out).toMatchObject({ status: "completed" });
      // During the branch's call its reservation (~260 tokens) was stored already.
      expect(seen[0]).toBeGreaterThan(200);
      const rows = await savers[0].pool.query(`SELECT task_id, value FROM "${schema}".writes WHERE thread_id = $1 AND channel = '__spend__' AND task_id LIKE 'spend:%:%'`, [r.threadId]);
      expect(rows.rows).toHaveLength(1);
      expect(JSON.parse(rows.rows[0].value)).toMatchObject({ tokens: 300 });
      expect(r.spent.tokens).toBe(600);
    } finally {
      duringCall = undefined;
    }
  }, 30_000);

  it("a child graph's distributed branches are charged to the root run's ledger", async () => {
    const r = await run(nested(2000), "outer", [1, 2, 3, 4, 5, 6]);
    expect(r.calls.filter((c) => c.includes("branch")).length).toBe(6);
    expect(r.calls.filter((c) => c.includes("after"))).toEqual([]);
    expect(JSON.stringify(r.out)).toMatch(/budget exceeded/);
    expect(r.spent.tokens).toBe(1800);
  }, 30_000);
});

describe("a worker's branches of one step share a ledger (in process, deterministic)", () => {
  // Two branches of one step read the same checkpoint at the same moment (as two jobs a
  // worker takes together do) and reach their calls together. Without a shared ledger each
  // checks against the checkpoint alone and both calls pass; with the worker's share the
  // second sees the first's reservation. The budget fits one call (~260 of 400 tokens).
  async function twoAtOnce(withShare: boolean): Promise<{ calls: number; results: BranchResult[] }> {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((ok) => (release = ok));
    const p: ModelProvider = {
      name: "gated",
      async chat() {
        calls++;
        await gate;
        return { message: { content: "ok" }, usage: { inputTokens: 10, outputTokens: 290 }, finishReason: "stop" };
      },
    };
    const reg = registryFromConfig(defineConfig({ models: { m: { provider: p } } }));
    const bp = compileGraph(fan(400, 2), { file: "fan.rag", graph: "fan", registry: reg.view() }).value!;
    const saver = new MemoryCheckpointer();
    const g = new CompiledGraph(bp, { registry: reg, checkpointer: saver });
    const refs: BranchRef[] = [];
    let handed!: () => void;
    const both = new Promise<void>((ok) => (handed = ok));
    const results: BranchResult[] = [];
    const runner: BranchRunner = {
      run: (ref) => {
        refs.push(ref);
        if (refs.length === 2) handed();
        return new Promise<never>(() => {});
      },
    };
    const controller = new AbortController();
    void g.invoke({ items: [1, 2] }, { threadId: "t", branches: runner, signal: controller.signal }).catch(() => undefined);
    await both;
    const tuple = (await saver.getTuple({ threadId: "t", checkpointId: refs[0].checkpointId }))!;
    const share = withShare ? { ledger: new SpendBook(), keys: new Set<string>() } : undefined;
    const runs = refs.map((ref) => runBranchAt(g, tuple, ref.taskId, { signal: new AbortController().signal, ...(share ? { share } : {}) }));
    await new Promise((ok) => setTimeout(ok, 50));
    release();
    for (const r of await Promise.all(runs)) results.push(r.result);
    controller.abort();
    return { calls, results };
  }
  it("without a share both branches' calls pass (each checks the checkpoint alone)", async () => {
    expect((await twoAtOnce(false)).calls).toBe(2);
  });
  it("with the worker's share the second branch is refused before its call", async () => {
    const r = await twoAtOnce(true);
    expect(r.calls).toBe(1);
    expect(JSON.stringify(r.results)).toMatch(/budget exceeded/);
    // Each result reports only its own spend: 300 for the branch that called, none for the refused one.
    expect(r.results.map((x) => x.spend?.tokens ?? 0).sort()).toEqual([0, 300]);
  });
});
