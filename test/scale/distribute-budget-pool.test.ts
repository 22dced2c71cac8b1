/**
 * A run's budget holds across the worker pool (`distribute: branches`), against the
 * machine's real Redis and Postgres. Before, each worker checked a branch's calls against
 * its own ledger (the thread's spend at the hand-over, what the store showed when the
 * branch started, and its own branches of the step): branches that started on two workers
 * at the same moment each saw the whole budget left, and together made twice the calls it
 * allows. Now every call of a distributed run — the run's own and each branch's, on any
 * worker — is claimed on the run's one account in Postgres (`scale/pg-spend-gate.ts`),
 * atomically, before it is made.
 *
 * The model reports 300 tokens a call (10 in, 290 out); the budget middleware estimates a
 * call at about 260 tokens, so a 1,000-token budget fits 3 calls (the 4th reservation
 * would bring it to ≥ 1,040). A middleware in front of the budget holds every branch's
 * call until all eight have read their checkpoint and reached it (or 5 s passed), so
 * every branch is past its start before any reservation is made — the moment two
 * machines' branches race. Own key prefix, queue and schema, removed after.
 */
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { defineConfig } from "../../index.js";
import type { ModelMiddleware, ModelProvider } from "../../registry/index.js";
import { CompiledGraph, MemoryCheckpointer } from "../../runtime/index.js";
import type { PostgresCheckpointer, QueueRunSubmitter } from "../../scale/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { missingServices, uniqueName } from "../helpers/services.js";
import { usePool } from "../helpers/distributed-pool.js";

const skip = await missingServices(["postgres", "redis"]);
const schema = uniqueName("rag_dbpool");
const prefix = uniqueName("ragdbp");
const BRANCHES = 8;

/** Model calls that reached the provider (every worker's registry shares it). */
let calls = 0;
const provider: ModelProvider = {
  name: "fake",
  async chat() {
    calls++;
    await new Promise((ok) => setTimeout(ok, 20));
    return { message: { content: "ok" }, usage: { inputTokens: 10, outputTokens: 290 }, finishReason: "stop" };
  },
};

/** Holds each call until `BRANCHES` calls have arrived (or 5 s passed), then lets them all on to the budget. */
let arrived = 0;
let open: (() => void) | undefined;
let gate = new Promise<void>((ok) => (open = ok));
function resetBarrier(): void {
  arrived = 0;
  gate = new Promise<void>((ok) => (open = ok));
}
const barrier: ModelMiddleware = {
  name: "barrier",
  wrap: (next) => async (call) => {
    if (++arrived === BRANCHES) open?.();
    const timer = setTimeout(() => open?.(), 5_000);
    await gate;
    clearTimeout(timer);
    return next(call);
  },
};
const registryFor = () => registryFromConfig(defineConfig({ models: { m: { provider } }, middleware: { custom: [barrier] } }));

/** Eight branches, all at once, one model call each, under a budget that fits three. */
const source = `graph fan {
  start split
  budget { tokens: 1000 }
  defaults { distribute: branches }
  input { items: list<number> }
  state { outs: list<any> append }
  node split { kind set send [w { n: x } for x in input.items -> outs] concurrency ${BRANCHES} join END }
  node w { model "m" prompt "branch {{ args.n }}" }
}
`;
const items = Array.from({ length: BRANCHES }, (_, i) => i + 1);
/** The refusal of a call before it is made, as the budget middleware words it in a process of its own. */
const REFUSED = /budget exceeded: a call of node `w` \(estimated \d+ tokens\) would bring the run's budget to \d+ tokens of 1000/;

let savers: PostgresCheckpointer[] = [];
let submitter: QueueRunSubmitter;
usePool({ schema, prefix, registryFor }, skip, (pool) => ({ savers, submitter } = pool));

describe("a run's budget across the worker pool", () => {
  it("in process: 3 of the 8 branches' calls go out, the run fails with the budget's refusal", async () => {
    calls = 0;
    resetBarrier();
    const reg = registryFor();
    const bp = compileGraph(source, { file: "fan.rag", graph: "fan", registry: reg.view() }).value!;
    const g = new CompiledGraph(bp, { registry: reg, checkpointer: new MemoryCheckpointer() });
    const err = await g.invoke({ items }, { threadId: "t" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(calls).toBe(3);
    expect(String((err as Error)?.message)).toMatch(REFUSED);
  });

  it.skipIf(skip)("distributed over two workers: at most 3 calls go out in all, and the run fails with the same refusal", async () => {
    calls = 0;
    resetBarrier();
    const bp = compileGraph(source, { file: "fan.rag", graph: "fan", registry: registryFor().view() }).value!;
    const threadId = uniqueName("t");
    const h = await submitter.submit({ kind: "run", source, file: "fan.rag", graph: "fan", hash: bp.hash, input: { items }, threadId });
    const out = await submitter.outcome(h.runId);
    expect(calls).toBeLessThanOrEqual(3);
    expect(calls).toBeGreaterThan(0); // refused after spending, not before any call
    expect(out).toMatchObject({ status: "failed" });
    expect(JSON.stringify(out)).toMatch(REFUSED);
    // The run's account is closed once it ended: a branch it stopped waiting for is refused, not given a fresh account.
    const rows = await savers[0].pool.query(`SELECT scope, tokens FROM "${schema}".run_spend WHERE run_id = $1`, [h.runId]);
    expect(rows.rows).toEqual([{ scope: "run", tokens: Infinity }]);
  }, 30_000);
});

describe.skipIf(skip)("a run's account in Postgres (`PgSpendGate`)", () => {
  it("claims from two processes at once never pass a limit together: 10 of 25 claims of 100 tokens fit 1,000; settles free the rest; a node's limit holds too", async () => {
    const runId = uniqueName("run");
    const gates = [savers[0].spendGate(runId, { tokens: 0, usd: 0 }), savers[1].spendGate(runId, { tokens: 0, usd: 0 })];
    const limits = { run: { tokens: 1000 }, node: {} };
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => gates[i % 2]!.claim(`n${i % 3}`, 100, 0, limits)));
    expect(results.filter((r) => r === undefined)).toHaveLength(10);
    expect(results.find((r) => r !== undefined)).toEqual({ scope: "run", tokens: 1100, usd: 0 });
    // One call settled at 40 of its 100: 60 tokens are free again, not enough for another 100.
    await gates[0]!.settle("n0", { tokens: 100, usd: 0 }, { tokens: 40, usd: 0 }, "call-1");
    expect(await gates[1]!.claim("n1", 100, 0, limits)).toEqual({ scope: "run", tokens: 1040, usd: 0 });
    expect(await gates[1]!.claim("n1", 60, 0, limits)).toBeUndefined();
    // A node's limit: its row starts from the thread's spend on that node (the base).
    const other = uniqueName("run");
    const g = savers[1].spendGate(other, { tokens: 500, usd: 0, nodes: { w: { tokens: 450, usd: 0 } } });
    expect(await g.claim("w", 60, 0, { run: {}, node: { tokens: 500 } })).toEqual({ scope: "node", tokens: 510, usd: 0 });
    expect(await g.claim("v", 60, 0, { run: {}, node: { tokens: 500 } })).toBeUndefined();
    // A closed account (its run ended) refuses every call, even one under no limit.
    await savers[0].closeRunSpend(other);
    expect((await g.claim("v", 1, 0, { run: {}, node: {} }))?.scope).toBe("run");
  });
});
