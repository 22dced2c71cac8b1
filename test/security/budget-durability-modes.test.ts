/**
 * A budget's reservation is stored before its call under every durability mode
 * (`runtime/checkpoint/persist.ts` `Persister.putDurable`, `registry/spend.ts`). Before,
 * only `sync` stored it first: under `checkpoint async` the reservation was queued and
 * the call went out before the queue was written, and under `checkpoint exit` nothing was
 * written until the run ended — a process killed mid-call lost every call of the run, so
 * the thread, continued or run again, had its budget afresh.
 *
 * The store here is a SQLite file behind a wrapper that stops writing when the model is
 * called a chosen time — the process killed during that call: what was committed before is
 * on disk, nothing after. A fresh store handle on the file then reads the thread.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import type { ModelProvider } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { spentAt } from "../../runtime/checkpoint/types.js";
import { CompiledGraph, SqliteCheckpointer, type Checkpointer } from "../../runtime/index.js";
import { DyingStore } from "../helpers/dying-store.js";

const dir = mkdtempSync(join(tmpdir(), "rag-budget-modes-"));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A model answering 300 tokens a call; the `killAt`-th call kills the store and never answers. */
function dyingModel(store: DyingStore, killAt: number): { provider: ModelProvider; calls: () => number } {
  let calls = 0;
  const provider: ModelProvider = {
    name: "dying",
    async chat() {
      if (++calls === killAt) {
        store.dead = true;
        return new Promise<never>(() => {});
      }
      return { message: { content: "ok" }, usage: { inputTokens: 10, outputTokens: 290 }, finishReason: "stop" };
    },
  };
  return { provider, calls: () => calls };
}

/** A loop of model calls under a 10,000-token budget, checkpointing in `mode`. */
const loop = (mode: string) => `graph g {
  start a
  checkpoint ${mode}
  budget { tokens: 10000 }
  state { out: any  n: number = 0 }
  node a { model "m" prompt "p" writes out next b }
  node b { kind set set { n: state.n + 1 } routes { when state.n >= 5 -> END else -> a } }
}`;

function graphOf(provider: ModelProvider, saver: Checkpointer, source: string): CompiledGraph {
  const reg = registryFromConfig({ models: { m: { provider } } });
  const r = compile(source, { file: "g.rag", registry: reg.view() });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: saver });
}

/** Runs the loop until the `killAt`-th call kills the store; what a fresh handle on the file says the thread spent. */
async function killedAt(mode: string, killAt: number): Promise<number> {
  const path = join(dir, `c${++files}.db`);
  const store = new DyingStore(new SqliteCheckpointer(path));
  const m = dyingModel(store, killAt);
  void graphOf(m.provider, store, loop(mode)).invoke({}, { threadId: "t" }).catch(() => undefined);
  await expect.poll(() => store.dead).toBe(true);
  const tuple = await new SqliteCheckpointer(path).getTuple({ threadId: "t" });
  return tuple ? spentAt(tuple).tokens : 0;
}

describe.each(["async", "exit"])("checkpoint %s: a process killed during a budgeted call", (mode) => {
  it("leaves the call's reservation stored: the first call of a fresh thread", async () => {
    // The call is estimated at ~260 tokens (input at 4 characters per token plus 256 of output).
    expect(await killedAt(mode, 1)).toBeGreaterThanOrEqual(250);
  });

  it("leaves the calls before it and its own reservation stored: the third call", async () => {
    // Two calls of 300 settled, the third in flight at its reservation.
    expect(await killedAt(mode, 3)).toBeGreaterThanOrEqual(850);
  });
});

describe("checkpoint sync (unchanged)", () => {
  it("stores the reservation before the call", async () => {
    expect(await killedAt("sync", 3)).toBeGreaterThanOrEqual(850);
  });
});

describe.each(["sync", "async", "exit"])("checkpoint %s: a run that completes", (mode) => {
  it("records each call once", async () => {
    const path = join(dir, `c${++files}.db`);
    const store = new DyingStore(new SqliteCheckpointer(path));
    const m = dyingModel(store, 0);
    const r = await graphOf(m.provider, store, loop(mode)).invoke({}, { threadId: "t" });
    expect(r.status).toBe("completed");
    const tuple = await new SqliteCheckpointer(path).getTuple({ threadId: "t" });
    expect(spentAt(tuple!).tokens).toBe(300 * m.calls());
  });
});
