/**
 * Review 12: the pool's budget account (`SpendLedger.gate`) held only a call's estimate;
 * output streamed past it (and retried attempts) was checked against the process's own
 * ledger only. Two "workers" (two graph runs, each its own ledger) sharing one atomic
 * account, each streaming ~900 output tokens under a 1,000-token run budget, both finished
 * and the account ended at 1,820. A call now claims ahead of its use, a chunk at a time,
 * and its stream is stopped once the account refuses more; a reply reported in one piece
 * under a large budget is not stopped; and a run nested under a thread of its own inside a
 * gated run records its calls on the enclosing account.
 */
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { defineConfig } from "../../index.js";
import { JointLedger, LinkedLedger, SpendBook, type GateLimit, type ModelProvider, type SpendGate } from "../../registry/index.js";
import { CompiledGraph, MemoryCheckpointer } from "../../runtime/index.js";
import { registryFromConfig } from "../../stdlib/index.js";

/** A model streaming ~900 output tokens in 90 pieces; `streamed()` is how many it has streamed so far (all calls). */
function streamingModel() {
  let streamed = 0;
  const provider: ModelProvider = {
    name: "fake",
    async chat(_req, opts) {
      for (let i = 0; i < 90; i++) {
        await new Promise((ok) => setTimeout(ok, 1));
        opts?.onOutput?.(40); // 10 tokens a piece at 4 chars/token
        streamed += 10;
      }
      return { message: { content: "x".repeat(3600) }, usage: { inputTokens: 10, outputTokens: 900 }, finishReason: "stop" };
    },
  };
  return { provider, streamed: () => streamed };
}

/** One atomic account in memory (what PgSpendGate does in Postgres). */
function sharedAccount() {
  let total = 0;
  const over = (l: GateLimit, t: number) => l.tokens !== undefined && t > l.tokens;
  const gate: SpendGate = {
    async claim(_node, tokens, _usd, limits) {
      if (over(limits.run, total + tokens)) return { scope: "run", tokens: total + tokens, usd: 0 };
      total += tokens;
      return undefined;
    },
    async settle(_node, reserved, spent) {
      total += spent.tokens - reserved.tokens;
    },
  };
  return { gate, total: () => total };
}

const source = `graph one {
  start w
  budget { tokens: 1000 }
  node w { model "m" prompt "go" }
}
`;

describe("review 12: the pool's account vs streamed output", () => {
  it("two workers each streaming past the estimate: a stream the account has no room for is stopped, the account stays within the budget", async () => {
    const model = streamingModel();
    const reg = registryFromConfig(defineConfig({ models: { m: { provider: model.provider } } }));
    const bp = compileGraph(source, { file: "one.rag", graph: "one", registry: reg.view() }).value!;
    const acct = sharedAccount();
    const runs = [0, 1].map((i) =>
      new CompiledGraph(bp, { registry: reg, checkpointer: new MemoryCheckpointer() })
        .invoke({}, { threadId: `t${i}`, spendGate: () => acct.gate } as never)
        .then(() => "ok", (e: unknown) => String((e as Error).message)),
    );
    const out = await Promise.all(runs);
    // The streams claim ahead of their use on the shared account; a stream the account has
    // no more room for is stopped there: the account stays within the budget (it ended at 1,820).
    expect(out.some((o) => /budget exceeded: the reply of .* was stopped .* across the worker pool/.test(o))).toBe(true);
    expect(acct.total()).toBeLessThanOrEqual(1000);
    expect(model.streamed()).toBeLessThan(1000);
  });
});

describe("the same two calls in one process", () => {
  it("the stream guard stops the reply that crosses the budget", async () => {
    const reg = registryFromConfig(defineConfig({ models: { m: { provider: streamingModel().provider } } }));
    const src = `graph fan {
  start split
  budget { tokens: 1000 }
  input { items: list<number> }
  state { outs: list<any> append }
  node split { kind set send [w { n: x } for x in input.items -> outs] concurrency 2 join END }
  node w { model "m" prompt "go {{ args.n }}" }
}
`;
    const bp = compileGraph(src, { file: "fan.rag", graph: "fan", registry: reg.view() }).value!;
    const out = await new CompiledGraph(bp, { registry: reg, checkpointer: new MemoryCheckpointer() }).invoke({ items: [1, 2] }, { threadId: "c" }).then(() => "ok", (e: unknown) => String((e as Error).message));
    // Stopped mid-stream by the guard, not refused once the whole reply was in.
    expect(out).toMatch(/^budget exceeded: the reply of node `w` was stopped after ~\d+ output tokens .* of 1000$/);
  });
});

describe("a run nested under a thread of its own inside a gated run", () => {
  it("claims its calls on the enclosing run's account, against the enclosing runs' limits", async () => {
    const seen: { node: string; tokens: number; limits: unknown }[] = [];
    const gate: SpendGate = {
      claim: async (node, tokens, _usd, limits) => (seen.push({ node, tokens, limits }), undefined),
      settle: async () => undefined,
    };
    const outer = new SpendBook();
    outer.gate = gate;
    const branch = new JointLedger(outer, { tokens: 0, usd: 0 }, new SpendBook());
    expect(branch.gate).toBe(gate);
    // runtime/run.ts runLedger: a child run that checkpoints as its own thread gets a fresh SpendBook linked to the parent's ledger.
    const nested = new LinkedLedger(new SpendBook(), { tokens: 0, usd: 0 }, branch, "thread-x");
    expect(nested.gate).toBeDefined();
    await nested.gate!.claim("inner", 42, 0, { run: { tokens: 10 }, node: {} });
    // Against the enclosing runs' limits only (its own graph's count its own thread): none given, none checked.
    await nested.gate!.claim("inner", 42, 0, { run: { tokens: 10 }, node: { tokens: 3 }, enclosing: { tokens: 1000 } });
    expect(seen).toEqual([
      { node: "inner", tokens: 42, limits: { run: {}, node: {} } },
      { node: "inner", tokens: 42, limits: { run: { tokens: 1000 }, node: {} } },
    ]);
  });
});

describe("a reply reported in one piece under a large budget", () => {
  it("is not stopped on a pool run: the account is topped up and settled at what it used", async () => {
    // A provider that does not stream (or the OpenAI adapter without `onToken`) reports the whole reply at once.
    const burst: ModelProvider = {
      name: "burst",
      async chat(_req, opts) {
        opts?.onOutput?.(4000); // ~1,000 output tokens
        return { message: { content: "x".repeat(4000) }, usage: { inputTokens: 10, outputTokens: 1000 }, finishReason: "stop" };
      },
    };
    const acct = sharedAccount();
    const reg = registryFromConfig(defineConfig({ models: { m: { provider: burst } } }));
    const big = source.replace("tokens: 1000", "tokens: 1000000");
    const bp = compileGraph(big, { file: "one.rag", graph: "one", registry: reg.view() }).value!;
    const out = await new CompiledGraph(bp, { registry: reg, checkpointer: new MemoryCheckpointer() })
      .invoke({}, { threadId: "b", spendGate: () => acct.gate } as never)
      .then(() => "ok", (e: unknown) => String((e as Error).message));
    expect(out).toBe("ok");
    expect(acct.total()).toBe(1010);
  });
});
