/**
 * Red team 8: concurrent streams under one budget. A call reserves its estimate (input
 * plus 256 output tokens by default) while its reply may run to what the budget has left;
 * a stream is stopped once its output, with what is spent and what other calls reserved,
 * would cross the limit. The other calls' streams counted only at their reservations, so
 * four branches of a fan-out streaming from a server that ignores `maxOutputTokens` were
 * each stopped near the limit less the others' estimates: the thread spent 5,004 tokens
 * of a 2,000-token run budget. What a stream uses past its reservation is now counted at
 * once for every other call (`stdlib/middleware/budget.ts`, overruns), so the thread ends
 * at the limit plus at most the last piece each stream read.
 */
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { spentAt } from "../../runtime/checkpoint/types.js";
import { CompiledGraph, MemoryCheckpointer, type RunEvent } from "../../runtime/index.js";
import { composeChain, DEFAULT_CAPABILITIES, JointLedger, LinkedLedger, providerHandler, SpendBook, type CallContext, type ModelProvider, type RegisteredModel, type SpendLedger } from "../../registry/index.js";
import type { NodeSpec } from "../../compiler/index.js";
import { budgetMiddleware, openaiProvider } from "../../stdlib/index.js";
import { chatChunk as chunk, closeReplyServers, SSE_DONE, streamingServer, USAGE_CHUNK_1_1 } from "../helpers/reply-server.js";

afterEach(closeReplyServers);

describe("red team 8: a fan-out of streams under one budget", () => {
  it("four concurrent streams that ignore the cap end at the run's budget, not at four times what each saw left", async () => {
    // Each stream would send 200,000 characters in 100-character pieces (25 tokens each).
    const s = await streamingServer([], () => chunk({ content: "x".repeat(99) + " " }), 2_000, [chunk({}, "stop"), USAGE_CHUNK_1_1, SSE_DONE]);
    const reg = registryFromConfig({ models: { m: { provider: openaiProvider({ baseURL: `${s.url}/v1`, apiKey: "k" }) } } });
    const src = 'graph g { start a budget { tokens: 2000 } state { out: any[] append } node a { kind set send [w { i: i } for i in [1,2,3,4] -> out] concurrency 4 join d } node w { model "m" prompt "p" optional true } node d { kind set next END } }';
    const r = compile(src, { file: "fan.rag", registry: reg.view() });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const saver = new MemoryCheckpointer();
    const g = new CompiledGraph(r.value.blueprints[0]!, { registry: reg, checkpointer: saver });
    const events: RunEvent[] = [];
    for await (const e of g.stream({}, { threadId: "t", mode: ["events", "messages"] })) if ((e as RunEvent).type) events.push(e as RunEvent);
    // The branches were stopped (optional: the run goes on past them) …
    const stopped = events.filter((e) => e.type === "task_failed" && /budget exceeded: the reply of node `w` was stopped/.test(String((e as { error?: { message?: unknown } }).error?.message)));
    expect(stopped.length).toBeGreaterThan(0);
    // … and the thread spent its budget plus at most the last 100-character piece of each stream.
    const spent = spentAt((await saver.getTuple({ threadId: "t" }))!);
    expect(spent.tokens).toBeGreaterThanOrEqual(2_000);
    expect(spent.tokens).toBeLessThanOrEqual(2_000 + 4 * 25);
  });
});

/**
 * The same fan-out where each branch checks a ledger of its own that shares one enclosing
 * ledger: the branches of a step on one pool worker (`distribute: branches`: a
 * `JointLedger` per branch over the worker's share) and graph runs linked into one REPL
 * session (a `LinkedLedger` per run over the session's ledger). What a stream used past
 * its reservation was counted per branch ledger (a WeakMap in the middleware), so the other
 * branches never saw it; it is now an extension of the reservation in the ledger, which a
 * joint or linked ledger forwards to the one it shares.
 */
describe("a fan-out of streams whose ledgers share one enclosing ledger", () => {
  /** A provider streaming 100-character pieces (25 tokens), ignoring `maxOutputTokens`, yielding between pieces. */
  const endless: ModelProvider = {
    name: "endless",
    async chat(_r, o) {
      for (let i = 0; i < 2_000; i++) {
        o?.signal?.throwIfAborted();
        o?.onOutput?.(100);
        await o?.onToken?.("x".repeat(99) + " ");
        await new Promise((ok) => setImmediate(ok));
      }
      return { message: { content: "" }, usage: { inputTokens: 1, outputTokens: 1 }, finishReason: "stop" };
    },
  };
  const model: RegisteredModel = { name: "m", provider: endless, modelId: "m", capabilities: { ...DEFAULT_CAPABILITIES, maxOutputTokens: 100_000 } };
  const ctxOf = (spend: SpendLedger, i: number): CallContext => ({
    run: { runId: `r${i}`, rootRunId: `r${i}`, threadId: `t${i}`, graph: "g", namespace: "g", checkpointNs: "", depth: 0, step: 1 },
    taskId: `task${i}`,
    node: { name: "w", kind: "model" } as NodeSpec,
    defaults: {},
    spend,
  });

  async function fourStreams(ledgerOf: (outer: SpendBook, i: number) => SpendLedger): Promise<{ outer: SpendBook; stopped: number }> {
    const outer = new SpendBook();
    const chain = composeChain([budgetMiddleware({ run: { tokens: 2_000 } })], providerHandler);
    const calls = [0, 1, 2, 3].map((i) => chain({ model, request: { model: "m", messages: [{ id: "u", role: "user", content: "p" }] }, context: ctxOf(ledgerOf(outer, i), i), onToken: async () => {} }));
    const results = await Promise.allSettled(calls);
    return { outer, stopped: results.filter((r) => r.status === "rejected" && /was stopped/.test(String(r.reason))).length };
  }

  it("a pool worker's branches (joint ledgers over the worker's share) end at the run's budget, not at four times what each saw left", async () => {
    const { outer, stopped } = await fourStreams((share) => new JointLedger(new SpendBook(), { tokens: 0, usd: 0 }, share));
    expect(stopped).toBe(4);
    expect(outer.run.reservedTokens).toBe(0);
    expect(outer.run.tokens).toBeGreaterThanOrEqual(2_000);
    expect(outer.run.tokens).toBeLessThanOrEqual(2_000 + 4 * 25);
  });

  it("graph runs linked into one session (linked ledgers over the session's) end at the budget too", async () => {
    const { outer, stopped } = await fourStreams((session, i) => new LinkedLedger(new SpendBook(), { tokens: 0, usd: 0 }, session, `t${i}`));
    expect(stopped).toBe(4);
    expect(outer.run.tokens).toBeGreaterThanOrEqual(2_000);
    expect(outer.run.tokens).toBeLessThanOrEqual(2_000 + 4 * 25);
  });
});
