/**
 * The pool's budget account (`scale/pg-spend-gate.ts`) as the budget middleware uses it
 * (`stdlib/middleware/gate-hold.ts`), against the machine's real Postgres: every limit is
 * charged before the work. Four weaknesses, each fixed:
 *
 * 1. A reply went on past what the account had granted it for as long as a top-up was in
 *    flight: two "workers" (two ledgers on one account) streaming at once each ran into
 *    room only one of their top-ups could get, and the account ended past the budget.
 * 2. A retried attempt whose top-up (claimed when the first attempt failed) had not landed
 *    yet was refused, though the account had room.
 * 3. A settle the store committed but the client saw fail (a connection lost at `COMMIT`)
 *    failed the call, and applying it again would have charged the run twice: settles are
 *    keyed by the call and retried.
 * 4. A run nested under a thread of its own (`recordingGate`) was checked on the account
 *    against no limit: under a larger budget of its own it spent past what the enclosing
 *    run had left across the pool.
 *
 * "Slow store": the claims go through a wrapper that waits first (a store far away), so a
 * top-up is in flight while the stream goes on. Own schema, dropped after.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NodeSpec } from "../../compiler/index.js";
import { composeChain, DEFAULT_CAPABILITIES, LinkedLedger, providerHandler, SpendBook, type CallContext, type ModelProvider, type RegisteredModel, type SpendGate, type SpendLedger } from "../../registry/index.js";
import { NodeError } from "../../runtime/index.js";
import { PostgresCheckpointer } from "../../scale/index.js";
import { PgSpendGate } from "../../scale/pg-spend-gate.js";
import type { PgStoreContext } from "../../scale/pg-store-context.js";
import { budgetMiddleware, retryMiddleware } from "../../stdlib/index.js";
import { missingServices, PG_URL, uniqueName } from "../helpers/services.js";

const skip = await missingServices(["postgres"]);
const schema = uniqueName("rag_bgate");
let saver: PostgresCheckpointer;

beforeAll(async () => {
  if (skip) return;
  saver = new PostgresCheckpointer(PG_URL, { schema });
  await saver.spendGate(uniqueName("warm"), { tokens: 0, usd: 0 }).claim("n", 0, 0, { run: {}, node: {} }); // migrates the schema
});
afterAll(async () => {
  if (skip) return;
  await saver.dropSchema();
  saver.close();
});

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** `gate` whose claims wait `ms` first (a store far away). */
const slow = (gate: SpendGate, ms: number): SpendGate => ({
  claim: async (...a) => (await sleep(ms), gate.claim(...a)),
  settle: (...a) => gate.settle(...a),
});

/** The account's run row (tokens), as Postgres has it. */
async function runRow(runId: string): Promise<number> {
  const { rows } = await saver.pool.query<{ tokens: number }>(`SELECT tokens FROM "${schema}".run_spend WHERE run_id = $1 AND scope = 'run'`, [runId]);
  return Number(rows[0]?.tokens);
}

const modelOf = (provider: ModelProvider): RegisteredModel => ({ name: "m", provider, modelId: "m", capabilities: DEFAULT_CAPABILITIES });
const ctxOf = (spend: SpendLedger, extra: Partial<CallContext> = {}): CallContext => ({
  run: { runId: "r", rootRunId: "r", threadId: "t", graph: "g", namespace: "g", checkpointNs: "", depth: 0, step: 1 },
  taskId: "task",
  node: { name: "n", kind: "model" } as NodeSpec,
  defaults: {},
  spend,
  ...extra,
});
const request = { model: "m", messages: [{ id: "u", role: "user" as const, content: "p" }] };
/** A ledger of a worker of the pool: its own memory, the run's account in Postgres. */
const workerLedger = (gate: SpendGate) => Object.assign(new SpendBook(), { gate });

describe.skipIf(skip)("the pool's budget account in Postgres, as the budget middleware charges it", () => {
  it("1: two workers streaming at once while their top-ups are in flight: the account stays within the budget", async () => {
    const runId = uniqueName("run");
    // ~900 output tokens in 90 pieces of 10, 1 ms apart: far past the ~257-token estimate.
    const provider: ModelProvider = {
      name: "stream",
      async chat(_req, opts) {
        for (let i = 0; i < 90; i++) {
          await sleep(1);
          opts?.onOutput?.(40);
        }
        return { message: { content: "x".repeat(3600) }, usage: { inputTokens: 1, outputTokens: 900 }, finishReason: "stop" };
      },
    };
    const chain = composeChain([budgetMiddleware({ run: { tokens: 1_000 } })], providerHandler);
    const worker = () => workerLedger(slow(saver.spendGate(runId, { tokens: 0, usd: 0 }), 80));
    const out = await Promise.all([worker(), worker()].map((l) => chain({ model: modelOf(provider), request, context: ctxOf(l) }).then(() => "ok", (e: unknown) => String(e))));
    // Before: each stream went on while its top-up was in flight; one top-up was refused
    // after its stream had used the room, the other stream ran to its end: ~1,750 of 1,000.
    expect(await runRow(runId)).toBeLessThanOrEqual(1_000);
    expect(out.every((o) => /budget exceeded: the reply of node `n` was stopped after ~\d+ output tokens, past the \d+ tokens it holds on the run's budget across the worker pool/.test(o))).toBe(true);
  });

  it("2: a retry whose top-up is still in flight waits for it, then is made", async () => {
    const runId = uniqueName("run");
    let calls = 0;
    const provider: ModelProvider = {
      name: "flaky",
      async chat() {
        if (++calls === 1) throw Object.assign(new NodeError("upstream 503", "retryable"), { usage: { inputTokens: 100, outputTokens: 400 } });
        return { message: { content: "ok" }, usage: { inputTokens: 10, outputTokens: 10 }, finishReason: "stop" };
      },
    };
    const chain = composeChain([budgetMiddleware({ run: { tokens: 100_000 } }), retryMiddleware({ maxAttempts: 2, sleep: () => Promise.resolve() })], providerHandler);
    const ledger = workerLedger(slow(saver.spendGate(runId, { tokens: 0, usd: 0 }), 40));
    const res = await chain({ model: modelOf(provider), request, context: ctxOf(ledger) }).catch((e: unknown) => e);
    // Before: "a retry of the call of node `n` … needs more than the 257 tokens it holds", with 99,743 left.
    expect(res).toMatchObject({ message: { content: "ok" } });
    expect(calls).toBe(2);
    expect(await runRow(runId)).toBe(520); // the failed attempt's 500 and the reply's 20, once each
  });

  it("3: a settle the store committed but the client saw fail is tried again, and charged once", async () => {
    const runId = uniqueName("run");
    // After the reply, the first write of the settle reaches the store and its answer is lost.
    let armed = false;
    const lose = async <T>(sql: unknown, run: () => Promise<T>): Promise<T> => {
      const r = await run();
      if (armed && typeof sql === "string" && /^(COMMIT|UPDATE|WITH)/.test(sql.trim())) {
        armed = false;
        throw new Error("Connection terminated unexpectedly");
      }
      return r;
    };
    const pool = saver.pool;
    const flakyPool = {
      query: (sql: string, params?: unknown[]) => lose(sql, () => pool.query(sql, params)),
      connect: async () => {
        const c = await pool.connect();
        return { query: (sql: string, params?: unknown[]) => lose(sql, () => c.query(sql, params)), release: () => c.release() };
      },
    };
    const ctx = { pool: flakyPool, q: `"${schema}"`, where: "test", ready: () => Promise.resolve(), guard: <T>(_w: string, f: () => Promise<T>) => f() } as unknown as PgStoreContext;
    const provider: ModelProvider = {
      name: "ok",
      async chat() {
        armed = true;
        return { message: { content: "ok" }, usage: { inputTokens: 10, outputTokens: 10 }, finishReason: "stop" };
      },
    };
    const chain = composeChain([budgetMiddleware({ run: { tokens: 100_000 } })], providerHandler);
    const ledger = workerLedger(new PgSpendGate(ctx, runId, { tokens: 0, usd: 0 }));
    const res = await chain({ model: modelOf(provider), request, context: ctxOf(ledger) }).catch((e: unknown) => e);
    // Before: the call failed with the store's error after the provider was paid (a retry of
    // the node pays again), and a settle applied again moved the account twice.
    expect(res).toMatchObject({ message: { content: "ok" } });
    expect(await runRow(runId)).toBe(20);
    // Applied by key: the same settle again changes nothing.
    await saver.spendGate(runId, { tokens: 0, usd: 0 }).claim("n", 5, 0, { run: {}, node: {} });
    const again = saver.spendGate(runId, { tokens: 0, usd: 0 });
    await again.settle("n", { tokens: 5, usd: 0 }, { tokens: 3, usd: 0 }, "k");
    await again.settle("n", { tokens: 5, usd: 0 }, { tokens: 3, usd: 0 }, "k");
    expect(await runRow(runId)).toBe(23);
  });

  it("4: a run nested under a thread of its own is bounded by what the enclosing run has left across the pool, not only by its own budget", async () => {
    const runId = uniqueName("run");
    const gate = saver.spendGate(runId, { tokens: 0, usd: 0 });
    // Another worker of the enclosing run (budget 1,000) already holds 900 on the account.
    expect(await gate.claim("w", 900, 0, { run: { tokens: 1_000 }, node: {} })).toBeUndefined();
    let calls = 0;
    const provider: ModelProvider = {
      name: "ok",
      async chat() {
        calls++;
        return { message: { content: "ok" }, usage: { inputTokens: 10, outputTokens: 10 }, finishReason: "stop" };
      },
    };
    // The node's ledger on this worker, and a CodeAct `graph_run({thread})` nested in it (runtime/run.ts runLedger).
    const outer = workerLedger(gate);
    const nested = new LinkedLedger(new SpendBook(), { tokens: 0, usd: 0 }, outer, "thread-x");
    const chain = composeChain([budgetMiddleware()], providerHandler);
    // Its own graph allows 100,000; the enclosing run's budget (1,000) has 100 left across the pool.
    const context = ctxOf(nested, { defaults: { budget: { tokens: 100_000 } }, enclosingBudgets: [{ tokens: 1_000 }] });
    const err = await chain({ model: modelOf(provider), request, context }).then(() => undefined, (e: unknown) => e);
    expect(String(err)).toMatch(/budget exceeded: a call of node `n` \(estimated \d+ tokens\) would bring the run's budget to 11\d\d tokens of 1000/);
    expect(calls).toBe(0);
    expect(await runRow(runId)).toBe(900);
  });
});
