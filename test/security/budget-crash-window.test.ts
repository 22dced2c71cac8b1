/**
 * Spend of a detached (`blocking false`) branch across a crash at a checkpoint
 * (`registry/spend.ts` `SpendBook.checkpointed`, `runtime/checkpoint/persist.ts`). The
 * store here is a SQLite file behind a wrapper that stops writing at a chosen moment — a
 * process killed right there: what it committed before is on disk, nothing after. A
 * fresh graph on the same file then resumes the thread.
 *
 * Broke before (fixed):
 * - a checkpoint saved while the branch's call was in flight recorded the settled spend
 *   only, and the call's reservation followed in a separate write against it: killed
 *   between the two, the resumed thread had forgotten the call in flight (its reservation
 *   lives on only against the previous checkpoint, which a resume from the new one does
 *   not read). Now the reservation is committed in the same transaction as the checkpoint.
 * - a branch's call that settled while a checkpoint was being saved (after the ledger's
 *   totals were read for it, before its record was cleared) was in memory only until the
 *   next checkpoint: killed before it, its spend was lost. Now the record keeps what the
 *   checkpoint does not hold.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import type { ModelProvider } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, SqliteCheckpointer, type Checkpointer } from "../../runtime/index.js";
import { DyingStore } from "../helpers/dying-store.js";

const dir = mkdtempSync(join(tmpdir(), "rag-budget-crash-"));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `bg` runs detached, in `branches` branches (a call each: ~260 estimated, 300 used); the main path saves a checkpoint per step. */
const src = (budget: number, branches: number) => `graph g {
  start s
  budget { tokens: ${budget} }
  state { x: any  n: number = 0 }
  node s { kind set send [${Array.from({ length: branches }, () => "bg {}").join(", ")}] next a }
  node bg { model "m" prompt "background" writes x blocking false }
  node a { kind set set { n: 1 } next b }
  node b { kind set set { n: 2 } next c }
  node c { kind set set { n: 3 } next END }
}`;

/** A model whose first call waits for `open()` and whose second never answers; 300 tokens per call. */
function gated() {
  const m = { calls: 0, settled: 0 };
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const provider: ModelProvider = {
    name: "gated",
    async chat() {
      const call = ++m.calls;
      if (call === 1) await opened;
      if (call === 2) await new Promise<never>(() => {});
      setImmediate(() => m.settled++);
      return { message: { content: "ok" }, usage: { inputTokens: 10, outputTokens: 290 }, finishReason: "stop" };
    },
  };
  return { m, provider, open };
}

function graphOf(provider: ModelProvider, saver: Checkpointer, source = src(400, 1)): CompiledGraph {
  const reg = registryFromConfig({ models: { m: { provider } } });
  const r = compile(source, { file: "g.rag", registry: reg.view() });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: saver });
}

describe("a detached branch's spend when the process dies at a checkpoint", () => {
  it("killed right after a checkpoint saved while the branch's call is in flight: the resumed thread counts the call's reservation", async () => {
    const path = join(dir, `c${++files}.db`);
    const first = gated();
    const store = new DyingStore(new SqliteCheckpointer(path), { dies: (step) => step === 2 });
    void graphOf(first.provider, store).invoke({}, { threadId: "t" }).catch(() => undefined);
    await expect.poll(() => store.dead).toBe(true);
    expect(first.m.calls).toBe(1);
    // The call (~260 estimated) is in flight at the checkpoint of step 2.
    const saver = new SqliteCheckpointer(path);
    const after = gated();
    after.open();
    const g = graphOf(after.provider, saver);
    expect((await g.getState("t"))!.spend?.tokens ?? 0).toBeGreaterThanOrEqual(250);
    // The resumed run runs `bg` again: ~260 more does not fit 400, so it is refused before its call.
    await g.invoke(null, { threadId: "t", resume: {} }).catch(() => undefined);
    expect(after.m.calls).toBe(0);
  });

  it("killed after one branch's call settled during a checkpoint's save (another still in flight), before the next checkpoint: the resumed thread counts what it spent", async () => {
    const path = join(dir, `c${++files}.db`);
    const first = gated();
    const store = new DyingStore(new SqliteCheckpointer(path), {
      // The call returns while the checkpoint of step 3 is being saved; the store dies before step 4's.
      during: async (step) => {
        if (step !== 3) return;
        first.open();
        while (first.m.settled < 1) await new Promise((r) => setTimeout(r, 5));
      },
      diesBefore: (step) => step === 4,
    });
    const two = src(2000, 2);
    void graphOf(first.provider, store, two).invoke({}, { threadId: "t" }).catch(() => undefined);
    await expect.poll(() => store.dead).toBe(true);
    const g = graphOf(gated().provider, new SqliteCheckpointer(path), two);
    const state = (await g.getState("t"))!;
    // 300 settled by the first branch, plus the second's reservation (~260) still in flight.
    expect(state.spend?.tokens ?? 0).toBeGreaterThanOrEqual(550);
  });
});
