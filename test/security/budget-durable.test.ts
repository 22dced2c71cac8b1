/**
 * A budget's spend is durable per thread (`registry/spend.ts`, `docs/security.md`
 * "Budgets across resumes"). Before, the budget middleware counted spend per process run:
 * a run that paused at an interrupt (or crashed) and was resumed started again from zero,
 * so a loop that pauses and is re-resumed — a prompt-injected one, or a queue worker
 * retrying — spent past the blueprint's `budget`. Now the spend is saved with the
 * checkpoint (settled usage) and as the run's `__spend__` record against it (usage since,
 * plus the reservation of a call in flight), and every resume, retry or fork continues
 * from it. Each test runs against the in-memory and the SQLite checkpointer.
 *
 * The model reports 300 tokens per call (10 in, 290 out); the budget middleware estimates
 * a call at about 260 tokens (its input plus 256 expected output), so under 1,000 tokens
 * three calls fit (0 → 300 → 600 → 900) and the fourth is refused before it is made.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fakeModel } from "../helpers/fake-model.js";
import { compile } from "../../compiler/index.js";
import type { ModelProvider } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, MemoryCheckpointer, SqliteCheckpointer, type Checkpointer, type CheckpointTuple } from "../../runtime/index.js";
import { PAUSING_BUDGET_LOOP } from "../helpers/budget-source.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const dir = scratchDir("rag-budget-durable-");
let files = 0;

/** A model reporting 300 tokens per call. */
function model() {
  const { m, provider } = fakeModel();
  return { m, provider };
}

function graphOf(src: string, provider: ModelProvider, saver: Checkpointer): CompiledGraph {
  const reg = registryFromConfig({ models: { m: { provider } } });
  const r = compile(src, { file: "budget.rag", registry: reg.view() });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: saver });
}

// A loop that pauses after every model call: each resume runs one more call.
const PAUSING = PAUSING_BUDGET_LOOP;

const backends: [string, () => Checkpointer, (c: Checkpointer) => Checkpointer][] = [
  ["memory", () => new MemoryCheckpointer(), (c) => c],
  [
    "sqlite",
    () => new SqliteCheckpointer(join(dir, `c${++files}.db`)),
    (c) => {
      const path = (c as SqliteCheckpointer).path;
      c.close?.();
      return new SqliteCheckpointer(path);
    },
  ],
];

const code = (e: unknown) => JSON.stringify(e);

/** Tokens the thread's line had spent when it left `t`: the checkpoint's `spend` plus the `__spend__` records against it (what `spentAt` reads). */
function spentTokens(t: CheckpointTuple): number {
  const own = (t.checkpoint as { spend?: { tokens: number } }).spend?.tokens ?? 0;
  return own + t.pendingWrites.filter((w) => w.channel === "__spend__").reduce((n, w) => n + (w.value as { tokens: number }).tokens, 0);
}

describe.each(backends)("budget spend across resumes (%s)", (_name, make, reopen) => {
  it("a run that spends, pauses and is resumed again and again is refused at the budget: three calls fit in 1,000 tokens, not one per resume", async () => {
    const { m, provider } = model();
    const saver = make();
    const g = graphOf(PAUSING, provider, saver);
    let r = await g.invoke({}, { threadId: "t" });
    expect(r.status).toBe("interrupted");
    let failure: unknown;
    for (let i = 0; i < 6 && !failure; i++) {
      try {
        r = await g.invoke(null, { threadId: "t", resume: {} });
        expect(r.status).toBe("interrupted");
      } catch (e) {
        failure = e;
      }
    }
    expect(m.calls).toBe(3);
    expect(code(failure)).toContain("budget_exceeded");
    expect((failure as Error).message).toContain("run's budget");
    const t = (await saver.getTuple({ threadId: "t" }))!;
    expect(spentTokens(t)).toBe(900);
  });

  it("resuming with a fresh process (a new graph and store handle) continues from the spend saved with the checkpoint", async () => {
    const first = model();
    const saver = make();
    await graphOf(PAUSING, first.provider, saver).invoke({}, { threadId: "t" });
    await graphOf(PAUSING, first.provider, saver).invoke(null, { threadId: "t", resume: {} });
    expect(first.m.calls).toBe(2);
    const second = model();
    const again = graphOf(PAUSING, second.provider, reopen(saver));
    await again.invoke(null, { threadId: "t", resume: {} });
    await expect(again.invoke(null, { threadId: "t", resume: {} })).rejects.toThrow(/budget exceeded/);
    expect(second.m.calls).toBe(1);
  });

  // A crash during a call (its reservation saved before the call counts on resume) is
  // tested with a real process killed mid-call: test/cli/budget-crash.test.ts. In one
  // process a hanging run holds the thread, so a second run of it is ThreadBusy.

  it("a failed run retried from its checkpoint (as a queue worker does) keeps what the failed step's completed branch spent", async () => {
    // Two model nodes in one step; `b`'s provider fails after `a` has spent 300, which no
    // checkpoint holds yet (only the failed run's `__spend__` record). The retry restores
    // `a`, runs `b` (300 + ~260 fits 700), and is refused at `c` (600 + ~260 does not).
    let fail = true;
    let calls = 0;
    const provider: ModelProvider = {
      name: "fake",
      async chat(req) {
        calls++;
        const who = JSON.stringify(req.messages).includes("second") ? "b" : "a";
        if (who === "b") await new Promise((res) => setTimeout(res, 5));
        if (who === "b" && fail) throw Object.assign(new Error("provider down"), { status: 400 });
        return { message: { content: "ok" }, usage: { inputTokens: 10, outputTokens: 290 }, finishReason: "stop" };
      },
    };
    const saver = make();
    const src = `graph g {
      start s
      budget { tokens: 700 }
      state { x: any  y: any }
      node s { kind set next [a, b] }
      node a { model "m" prompt "first" writes x next c }
      node b { model "m" prompt "second" writes y next c }
      node c { model "m" prompt "third" writes x next END }
    }`;
    const g = graphOf(src, provider, saver);
    await expect(g.invoke({}, { threadId: "t" })).rejects.toThrow();
    expect(calls).toBe(2);
    fail = false;
    const store = reopen(saver);
    const e = await graphOf(src, provider, store).invoke(null, { threadId: "t", resume: {} }).then(() => new Error("completed"), (x: unknown) => x);
    expect(code(e)).toContain("budget_exceeded");
    expect((e as Error).message).toContain("`c`");
    expect(calls).toBe(3);
    // 600 reported, plus `b`'s failed attempt charged its prompt's estimated input (2 tokens: "second"; a failed call is charged what is known of it).
    expect(spentTokens((await store.getTuple({ threadId: "t" }))!)).toBe(602);
  });

  it("parallel branches after a resume share what is left: with 600 of 1,000 spent only one of five branches' calls fits", async () => {
    const { m, provider } = model();
    const saver = make();
    const src = `graph g {
      start a
      budget { tokens: 1000 }
      input { items: list<number> }
      state { out: list<any> append  n: number = 0 }
      interrupt after [a]
      node a { model "m" prompt "p" writes out next b }
      node b { kind set set { n: state.n + 1 } routes { when state.n >= 2 -> fan else -> a } }
      node fan { kind set send [w { k: x } for x in input.items] join done }
      node w { model "m" prompt "branch" writes out optional true }
      node done { kind set set { n: 0 } next END }
    }`;
    const g = graphOf(src, provider, saver);
    await g.invoke({ items: [1, 2, 3, 4, 5] }, { threadId: "t" });
    await g.invoke(null, { threadId: "t", resume: {} });
    expect(m.calls).toBe(2);
    // 600 spent: the fan-out's five branches reserve in turn; one fits (600 + 260), the next four are refused before their call.
    const r = await g.invoke(null, { threadId: "t", resume: {} });
    expect(r.status).toBe("completed");
    expect(m.calls).toBe(3);
    expect(r.errors.filter((x) => code(x.error).includes("budget_exceeded"))).toHaveLength(4);
  });

  it("updateState on a paused thread (and a resume with `update`) keeps the spend; a fork of an older checkpoint sees the spend recorded there", async () => {
    const { m, provider } = model();
    const saver = make();
    const g = graphOf(PAUSING, provider, saver);
    await g.invoke({}, { threadId: "t" });
    const afterOne = (await saver.getTuple({ threadId: "t" }))!.checkpoint.id;
    await g.invoke(null, { threadId: "t", resume: {} });
    await g.updateState("t", { n: 5 });
    expect(spentTokens((await saver.getTuple({ threadId: "t" }))!)).toBe(600);
    await g.invoke(null, { threadId: "t", resume: { update: { n: 6 } } });
    expect(m.calls).toBe(3);
    await expect(g.invoke(null, { threadId: "t", resume: {} })).rejects.toThrow(/budget exceeded/);
    expect(m.calls).toBe(3);
    // Replaying the checkpoint after the first call (a thread edit: it needs the checkpoint id) starts from the 300 spent there.
    const replay = await g.invoke(null, { threadId: "t", checkpointId: afterOne });
    expect(replay.status).toBe("interrupted");
    expect(m.calls).toBe(4);
    expect(spentTokens((await saver.getTuple({ threadId: "t" }))!)).toBe(600);
  });

  it("a fork into a new thread starts from what the line had spent at the forked checkpoint, its `__spend__` records included", async () => {
    const { m, provider } = model();
    const saver = make();
    const g = graphOf(PAUSING, provider, saver);
    await g.invoke({}, { threadId: "t" });
    await g.invoke(null, { threadId: "t", resume: {} });
    const at = (await saver.getTuple({ threadId: "t" }))!;
    expect(spentTokens(at)).toBe(600);
    const snap = await g.fork("t", at.checkpoint.id, "t2");
    expect(snap.spend?.tokens).toBe(600);
    const copy = (await saver.getTuple({ threadId: "t2" }))!;
    expect((copy.checkpoint as { spend?: { tokens: number } }).spend?.tokens).toBe(600);
    await g.invoke(null, { threadId: "t2", resume: {} });
    expect(m.calls).toBe(3);
    await expect(g.invoke(null, { threadId: "t2", resume: {} })).rejects.toThrow(/budget exceeded/);
    expect(m.calls).toBe(3);
  });
});
