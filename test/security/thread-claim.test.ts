/**
 * One run of a thread at a time (`Checkpointer.claim`, `runtime/checkpoint/sqlite-lease.ts`).
 * Before, two runs of one thread on a SQLite file (two `rag resume T` processes) or on one
 * store in one process both started from the same checkpoint and spend: together they
 * could spend the thread's budget twice over. Now the second is refused with
 * `ThreadBusyError` naming the thread before it reads anything; a lease whose process is
 * gone, or that expired, is taken over. (Two real processes: `test/cli/thread-busy.test.ts`.)
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fakeModel } from "../helpers/fake-model.js";
import { compile } from "../../compiler/index.js";
import type { ModelProvider } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, MemoryCheckpointer, SqliteCheckpointer, ThreadBusyError, type Checkpointer } from "../../runtime/index.js";
import { PAUSING_BUDGET_LOOP } from "../helpers/budget-source.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const dir = scratchDir("rag-thread-claim-");
let files = 0;

/** A model whose calls wait until `open()`; 300 tokens each. */
function gated() {
  const { m, provider, hold, release } = fakeModel({ name: "gated" });
  hold();
  return { m, provider, open: release };
}

function graphOf(provider: ModelProvider, saver: Checkpointer): CompiledGraph {
  const reg = registryFromConfig({ models: { m: { provider } } });
  return new CompiledGraph(compile(PAUSING_BUDGET_LOOP, { file: "g.rag", registry: reg.view() }).value.blueprints[0], { registry: reg, checkpointer: saver });
}

const backends: [string, () => [Checkpointer, Checkpointer]][] = [
  ["memory (one store, two runs)", () => {
    const s = new MemoryCheckpointer();
    return [s, s];
  }],
  ["sqlite (two handles on one file)", () => {
    const path = join(dir, `c${++files}.db`);
    return [new SqliteCheckpointer(path), new SqliteCheckpointer(path)];
  }],
];

describe.each(backends)("a second run of a busy thread (%s)", (_name, make) => {
  it("is refused with ThreadBusyError naming the thread, before it reads or calls anything; once the first ends, the thread runs again", async () => {
    const [a, b] = make();
    const { m, provider, open } = gated();
    const first = graphOf(provider, a).invoke({}, { threadId: "t" });
    await expect.poll(() => m.calls).toBe(1);
    const e = await graphOf(provider, b).invoke({}, { threadId: "t" }).then(() => new Error("ran"), (x: unknown) => x);
    expect(e).toBeInstanceOf(ThreadBusyError);
    expect((e as ThreadBusyError).code).toBe("thread_busy");
    expect((e as Error).message).toMatch(/^thread t is busy: /);
    expect(m.calls).toBe(1);
    open();
    expect((await first).status).toBe("interrupted");
    // Released at the end of the run (a pause here): the thread can be resumed, from either handle.
    expect((await graphOf(provider, b).invoke(null, { threadId: "t", resume: {} })).status).toBe("interrupted");
    expect(m.calls).toBe(2);
  });

  it("other threads are not held", async () => {
    const [a, b] = make();
    const { m, provider, open } = gated();
    const first = graphOf(provider, a).invoke({}, { threadId: "t" });
    await expect.poll(() => m.calls).toBe(1);
    const other = graphOf(provider, b).invoke({}, { threadId: "u" });
    await expect.poll(() => m.calls).toBe(2);
    open();
    await Promise.all([first, other]);
  });
});

describe("SQLite leases", () => {
  /** A pid that no longer exists (a child process that has exited). */
  const deadPid = () => spawnSync(process.execPath, ["-e", "0"]).pid!;

  function lease(path: string, row: { pid: number; host: string; expiresAt: number }) {
    const s = new SqliteCheckpointer(path);
    s.db.exec("CREATE TABLE IF NOT EXISTS thread_leases (thread_id TEXT PRIMARY KEY, owner TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID");
    s.db.prepare("INSERT OR REPLACE INTO thread_leases VALUES ('t', 'someone', ?, ?, ?)").run(row.pid, row.host, row.expiresAt);
    s.close();
  }

  it("a lease left by a process of this host that died is taken over at once", async () => {
    const path = join(dir, `c${++files}.db`);
    const { hostname } = await import("node:os");
    lease(path, { pid: deadPid(), host: hostname(), expiresAt: Date.now() + 3_600_000 });
    const { open, provider } = gated();
    open();
    expect((await graphOf(provider, new SqliteCheckpointer(path)).invoke({}, { threadId: "t" })).status).toBe("interrupted");
  });

  it("a live lease of another host holds until it expires; an expired one is taken over", async () => {
    const path = join(dir, `c${++files}.db`);
    const { open, provider } = gated();
    open();
    lease(path, { pid: 1, host: "elsewhere", expiresAt: Date.now() + 3_600_000 });
    const e = await graphOf(provider, new SqliteCheckpointer(path)).invoke({}, { threadId: "t" }).catch((x: unknown) => x);
    expect((e as Error).message).toContain("thread t is busy: process 1 on elsewhere is running it");
    lease(path, { pid: 1, host: "elsewhere", expiresAt: Date.now() - 1 });
    expect((await graphOf(provider, new SqliteCheckpointer(path)).invoke({}, { threadId: "t" })).status).toBe("interrupted");
  });

  it("a holder renews its lease while it runs; one whose lease was taken over is stopped with ThreadBusyError", async () => {
    const path = join(dir, `c${++files}.db`);
    const { m, provider } = gated();
    const saver = new SqliteCheckpointer(path, { leaseMs: 90 });
    const run = graphOf(provider, saver).invoke({}, { threadId: "t" }).then(() => new Error("completed"), (x: unknown) => x);
    await expect.poll(() => m.calls).toBe(1);
    // Renewed: after several lease times the lease is still the run's.
    await new Promise((r) => setTimeout(r, 300));
    const row = saver.db.prepare("SELECT pid, expires_at FROM thread_leases WHERE thread_id = 't'").get() as { pid: number; expires_at: number };
    expect(row.pid).toBe(process.pid);
    expect(row.expires_at).toBeGreaterThan(Date.now());
    // Another process took it over (as after an expiry): the run is stopped at its next renewal.
    saver.db.prepare("UPDATE thread_leases SET owner = 'thief', host = 'elsewhere', pid = 1 WHERE thread_id = 't'").run();
    const e = await run;
    expect(e).toBeInstanceOf(ThreadBusyError);
    expect((e as Error).message).toContain("another run took the thread over");
  });
});
