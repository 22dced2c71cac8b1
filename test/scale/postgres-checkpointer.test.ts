/**
 * The Postgres checkpointer against the machine's real Postgres (issue 13 §1): the same
 * conformance suite as memory and SQLite, plus migrations, one transaction per
 * superstep and ThreadBusy on a second writer. Each backend instance gets its own
 * schema, dropped after the file.
 */
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { CheckpointError, type Checkpointer } from "../../runtime/index.js";
import { MIGRATIONS, PostgresCheckpointer, SCHEMA_VERSION, ThreadBusyError, forgetMigrated, migrate } from "../../scale/index.js";
import { checkpointerConformance, ckpt } from "../runtime/checkpointer-conformance.js";
import { missingServices, PG_URL, uniqueName } from "../helpers/services.js";

const skip = await missingServices(["postgres"]);
const schemas = new Set<string>();
const open: PostgresCheckpointer[] = [];
const make = (schema = uniqueName("rag_ckpt")) => {
  schemas.add(schema);
  const c = new PostgresCheckpointer(PG_URL, { schema });
  open.push(c);
  return c;
};

afterAll(async () => {
  if (skip) return;
  await Promise.all(open.map((c) => c.closeAsync()));
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
});

describe.skipIf(skip)("postgres", () => {
  checkpointerConformance({
    name: "postgres",
    make: () => make(),
    reopen: async (c: Checkpointer) => {
      const p = c as PostgresCheckpointer;
      await p.closeAsync();
      return make(p.schema);
    },
  });

  describe("Postgres specifics", () => {
    it("migrations are versioned: a fresh schema gets every version once; running them again applies nothing", async () => {
      const c = make();
      await c.threads();
      const { rows } = await c.pool.query<{ version: number }>(`SELECT version FROM "${c.schema}".migrations ORDER BY version`);
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      const client = await c.pool.connect();
      try {
        expect(await migrate(client, c.schema)).toBe(SCHEMA_VERSION);
      } finally {
        client.release();
      }
    });

    it("a schema migrated by a newer ragraph is refused with a CheckpointError", async () => {
      const c = make();
      await c.threads();
      await c.pool.query(`INSERT INTO "${c.schema}".migrations (version, description) VALUES (999, 'future')`);
      await c.closeAsync();
      forgetMigrated(c.schema); // as a new process: the version is checked once per process
      const again = make(c.schema);
      await expect(again.threads()).rejects.toThrow(/newer ragraph \(version 999/);
    });

    it("a second process writing a thread another one holds gets ThreadBusy and writes nothing; after release it may", async () => {
      const schema = uniqueName("rag_busy");
      const a = make(schema);
      const b = make(schema);
      const k1 = ckpt({ threadId: "t" });
      await a.put(k1, { source: "input", step: 0, runId: "r" });
      const k2 = ckpt({ threadId: "t", parentId: k1.id, step: 1 });
      const err = await b.put(k2, { source: "loop", step: 1, runId: "r2" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ThreadBusyError);
      expect(err).toBeInstanceOf(CheckpointError);
      expect((err as ThreadBusyError).code).toBe("thread_busy");
      expect((err as Error).message).toMatch(/thread t is busy/);
      expect((await a.list("t")).map((x) => x.checkpoint.id)).toEqual([k1.id]);
      // other threads are free
      await b.put(ckpt({ threadId: "u" }), { source: "input", step: 0, runId: "r2" });
      await a.release("t");
      await b.put(k2, { source: "loop", step: 1, runId: "r2" });
      expect((await a.getTuple({ threadId: "t" }))?.checkpoint.id).toBe(k2.id);
      expect(b.heldThreads().sort()).toEqual(["t", "u"]);
    });

    it("runningThreads: a thread a run of this process claims, or another process's lock holds, and not once released", async () => {
      const schema = uniqueName("rag_running");
      const a = make(schema);
      const b = make(schema);
      await a.put(ckpt({ threadId: "t" }), { source: "input", step: 0, runId: "r" });
      await a.put(ckpt({ threadId: "idle" }), { source: "input", step: 0, runId: "r" });
      await a.release("idle");
      const claim = await a.claim("t");
      expect([...(await a.runningThreads())]).toEqual(["t"]); // this process: its claims
      expect([...(await b.runningThreads())]).toEqual(["t"]); // another process: the lock a holds
      expect([...(await b.runningThreads(["t"]))]).toEqual(["t"]); // asked about one thread
      expect([...(await b.runningThreads(["idle"]))]).toEqual([]);
      await claim.release();
      expect([...(await a.runningThreads())]).toEqual([]); // the run ended (a keeps the lock for its next write)
      await a.release("t");
      expect([...(await b.runningThreads())]).toEqual([]);
      // b's own lock (taken by a write, no run claiming it) is not a run of b's
      await b.put(ckpt({ threadId: "idle", step: 1 }), { source: "loop", step: 1, runId: "r2" });
      expect([...(await b.runningThreads())]).toEqual([]);
    });

    it("a dead process's lock goes with its connection: another process continues the thread", async () => {
      const schema = uniqueName("rag_dead");
      const a = make(schema);
      const k1 = ckpt({ threadId: "t" });
      await a.put(k1, { source: "input", step: 0, runId: "r" });
      // Kill a's locked connection from the server side, as a SIGKILLed process would lose it.
      const killed = await a.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [`ragraph-lock:${schema}`.slice(0, 63)]);
      expect(killed.rowCount).toBe(1);
      const b = make(schema);
      await expect.poll(async () => (await b.put(ckpt({ threadId: "t", parentId: k1.id }), { source: "loop", step: 1, runId: "r2" }).then(() => "ok", (e: Error) => e.name)), { timeout: 5000 }).toBe("ok");
    });

    it("one transaction per superstep: the writes of tasks completing in one tick and the next checkpoint commit together", async () => {
      const c = make();
      const k = ckpt({ threadId: "t" });
      await c.put(k, { source: "input", step: 0, runId: "r" });
      const before = xacts(c);
      const writes = Array.from({ length: 20 }, (_, i) => c.putWrites({ threadId: "t", checkpointId: k.id }, [["x", i], ["__task__", { ok: true }]], `1.${i}`));
      expect(new Set(writes).size).toBe(1); // one shared flush
      await c.put(ckpt({ threadId: "t", parentId: k.id, step: 1 }), { source: "loop", step: 1, runId: "r" });
      await Promise.all(writes);
      const { rows } = await c.pool.query<{ n: string }>(`SELECT COUNT(*) AS n FROM "${c.schema}".writes`);
      expect(Number(rows[0].n)).toBe(40);
      expect(xacts(c) - before).toBe(1);
    });

    it("migration 3: rows written before (values inline) stay readable; new checkpoints store changed channels as blobs, appends as deltas", async () => {
      const c = make();
      await c.threads();
      const old = ckpt({ threadId: "t" });
      const { threadId: _t, namespace: _n, ...inline } = old;
      await c.pool.query(`INSERT INTO "${c.schema}".checkpoints (thread_id, ns, id, parent_id, step, source, graph, hash, created_at, checkpoint, metadata) VALUES ('t', '', $1, NULL, 0, 'input', $2, $3, $4, $5, $6)`, [old.id, old.graph, old.blueprintHash, old.ts, JSON.stringify(inline), JSON.stringify({ source: "input", step: 0, runId: "r" })]);
      expect((await c.getTuple({ threadId: "t" }))?.checkpoint).toEqual(old);
      let out: readonly number[] = Object.freeze([]);
      let parentId = old.id;
      for (let s = 1; s <= 100; s++) {
        out = Object.freeze([...out, s]);
        const k = ckpt({ threadId: "t", step: s, parentId, values: { out, same: "x" }, versions: { out: s, same: 1 } });
        await c.put(k, { source: "loop", step: s, runId: "r" });
        parentId = k.id;
      }
      const { rows } = await c.pool.query<{ kind: string; n: string }>(`SELECT kind, COUNT(*) AS n FROM "${c.schema}".blobs GROUP BY kind ORDER BY kind`);
      expect(rows.map((r) => [r.kind, Number(r.n)])).toEqual([["append", 99], ["full", 2]]); // `out` once whole, `same` once
      expect((await c.getTuple({ threadId: "t" }))?.checkpoint.values).toEqual({ out: Array.from({ length: 100 }, (_, i) => i + 1), same: "x" });
      expect((await c.list("t")).at(-1)?.checkpoint).toEqual(old);
    });

    it("a URL that is not Postgres, or an unreachable server, is a CheckpointError naming it", async () => {
      expect(() => new PostgresCheckpointer("mysql://x/y")).toThrow(/not a Postgres URL/);
      expect(() => new PostgresCheckpointer(PG_URL, { schema: "bad;drop" })).toThrow(CheckpointError);
      const c = new PostgresCheckpointer("postgres://nobody:secret@127.0.0.1:1/none");
      const err = await c.threads().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CheckpointError);
      expect((err as Error).message).toMatch(/postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none/);
      expect((err as Error).message).not.toMatch(/secret/);
      await c.closeAsync();
    });
  });
});

/** Write transactions `c` has committed. */
const xacts = (c: PostgresCheckpointer) => c.stats.transactions;
