/**
 * A graph run linked into an enclosing ledger — a REPL session's `graph_run({thread})` or
 * `:resume`, a CodeAct script's graph — is checked against its thread's spend and the
 * enclosing ledger's together (`registry/linked-ledger.ts`), each token counted once.
 * Before, a run's check added the thread's recorded spend to everything the session had
 * spent: a thread run twice in one session had its first run counted twice (in the
 * thread's starting spend and in the session's ledger), so the session was refused long
 * before the budget was spent (2 calls under a 3-call budget).
 *
 * Unit: the model reports 300 tokens per call; the middleware estimates a call at ~260.
 */
import { describe, expect, it } from "vitest";
import { fakeModel } from "../helpers/fake-model.js";
import { compile } from "../../compiler/index.js";
import { LinkedLedger, SpendBook } from "../../registry/index.js";
import { registryFromConfig, Session } from "../../repl/index.js";
import { spentAt } from "../../runtime/checkpoint/types.js";
import { MemoryCheckpointer, type Checkpointer } from "../../runtime/index.js";

/** One model call per run, under `budget { tokens: 1000 }`. */
const ONE_CALL = `graph once { start a budget { tokens: 1000 } state { out: any } node a { model "m" prompt "p" writes out next END } }`;

function setup() {
  const { m, provider } = fakeModel();
  const reg = registryFromConfig({ models: { m: { provider } } });
  reg.registerGraph("once", compile(ONE_CALL, { file: "once.rag", registry: reg.view() }).value.blueprints[0]);
  return { m, reg };
}

const threadSpend = async (saver: Checkpointer, threadId = "t") => spentAt((await saver.getTuple({ threadId }))!).tokens;

describe("a thread run again and again in one REPL session", () => {
  it("is charged each call once: three runs fit a 1,000-token budget, the fourth is refused", async () => {
    const { m, reg } = setup();
    const saver = new MemoryCheckpointer();
    const s = new Session({ registry: reg, checkpointer: saver });
    for (let i = 0; i < 3; i++) {
      const r = await s.runCell('graph_run({graph: "once", input: {}, thread: "t"})');
      expect(r.diagnostics.map((d) => d.message)).toEqual([]);
    }
    expect(m.calls).toBe(3);
    expect(await threadSpend(saver)).toBe(900);
    const over = await s.runCell('graph_run({graph: "once", input: {}, thread: "t"})');
    expect(m.calls).toBe(3);
    expect(over.diagnostics.map((d) => d.message).join("\n")).toMatch(/budget exceeded/);
  });

  it("the session's spend on other threads still counts against the graph's budget (never zero times)", async () => {
    const { m, reg } = setup();
    const s = new Session({ registry: reg, checkpointer: new MemoryCheckpointer() });
    await s.runCell('graph_run({graph: "once", input: {}, thread: "a"})');
    await s.runCell('graph_run({graph: "once", input: {}, thread: "b"})');
    await s.runCell('graph_run({graph: "once", input: {}, thread: "c"})');
    // 900 spent by the session on threads a, b and c: a run on d (≈ 260 more) is over the 1,000 it is checked against.
    const over = await s.runCell('graph_run({graph: "once", input: {}, thread: "d"})');
    expect(m.calls).toBe(3);
    expect(over.diagnostics.map((d) => d.message).join("\n")).toMatch(/budget exceeded/);
  });
});

describe("LinkedLedger", () => {
  it("counts the thread's earlier spend once, however much of it the enclosing ledger charged already", async () => {
    const outer = new SpendBook();
    // A first run of thread t in this session spends 300 (charged to both ledgers).
    const first = new LinkedLedger(new SpendBook(), { tokens: 0, usd: 0 }, outer, "t");
    await first.reserve("a", 260, 0);
    first.settle("a", { tokens: 260, usd: 0 }, { tokens: 300, usd: 0 });
    expect(first.run.tokens).toBe(300);
    // The next run of t starts from the thread's 300 (its checkpoint) — the same 300 the session counts.
    const second = new LinkedLedger(new SpendBook({ tokens: 300, usd: 0 }), { tokens: 300, usd: 0 }, outer, "t");
    expect(second.run.tokens).toBe(300);
    expect(second.node("a").tokens).toBe(300);
    // A thread spent elsewhere (another session: 500) adds what the session has not counted.
    const other = new LinkedLedger(new SpendBook({ tokens: 500, usd: 0 }), { tokens: 500, usd: 0 }, outer, "u");
    expect(other.run.tokens).toBe(800);
  });
});
