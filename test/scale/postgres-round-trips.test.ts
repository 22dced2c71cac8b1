/**
 * What the Postgres checkpointer sends per run (issue 13 §1, cost per superstep): every
 * statement is counted through the public `Client` option (a `pg.Client` subclass that
 * records what it sends, on the machine's real Postgres), so a regression that adds a
 * round trip to a superstep, a run's start or a worker's job fails here. Also: the schema
 * is checked once per process, and the lock taken inside a thread's first statement
 * keeps its guarantees (a second writer gets ThreadBusy and writes nothing; a failed
 * statement does not leave the thread locked after release).
 */
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { CompiledGraph, CheckpointError } from "../../runtime/index.js";
import { forgetMigrated, PostgresCheckpointer, ThreadBusyError } from "../../scale/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { ckpt } from "../runtime/checkpointer-conformance.js";
import { dropTestSchema, missingServices, PG_URL, uniqueName } from "../helpers/services.js";
import { FANOUT_SOURCE } from "../../bench/sources.js";

const skip = await missingServices(["postgres"]);

/** Statements sent by every connection of the checkpointers made with `Counting`, in order. */
const sent: string[] = [];
class Counting extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    (this as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const q = args[0];
      sent.push(typeof q === "string" ? q : String((q as { text?: string }).text));
      return query(...args);
    };
  }
}

/** Statements sent while `f` runs. */
async function counted(f: () => Promise<unknown>): Promise<string[]> {
  const from = sent.length;
  await f();
  return sent.slice(from);
}

const schemas = new Set<string>();
const open: PostgresCheckpointer[] = [];
const make = (schema = uniqueName("rag_trips")) => {
  schemas.add(schema);
  const c = new PostgresCheckpointer(PG_URL, { schema, Client: Counting });
  open.push(c);
  return c;
};

afterAll(async () => {
  if (skip) return;
  await Promise.all(open.map((c) => c.closeAsync()));
  for (const s of schemas) await dropTestSchema(s);
});

function build(src: string): CompiledGraph {
  const registry = standardRegistry();
  const r = compileGraph(src, { registry: registry.view() });
  if (!r.value) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return new CompiledGraph(r.value, { registry });
}
const chain = build(`graph seq { start a node a { kind set next b } node b { kind set next c } node c { kind set next END } }`);
const fan = build(FANOUT_SOURCE);

const isWrite = (s: string) => /^WITH lk AS MATERIALIZED .*INSERT INTO/s.test(s);
const isRead = (s: string) => /^WITH RECURSIVE c AS MATERIALIZED/.test(s);
/** A read that takes the thread's lock too (`acquireLatest`, a run's or an edit's claim). */
const isLockedRead = (s: string) => /^WITH RECURSIVE lk AS MATERIALIZED/.test(s);

describe.skipIf(skip)("Postgres round trips", () => {
  it("a run of N supersteps on a new thread sends N + 2 statements: its first read (with the thread's lock: the run's claim), the input checkpoint, one per superstep (writes, checkpoint and blobs together)", async () => {
    const c = make();
    await chain.invoke({}, { checkpointer: c, durability: "sync", threadId: "warm" }); // migrates the schema
    for (const [g, input, thread] of [[chain, {}, "chain"], [fan, { items: [1, 2, 3, 4, 5] }, "fan"]] as const) {
      let steps = 0;
      const s = await counted(async () => {
        steps = (await g.invoke(input, { checkpointer: c, durability: "sync", threadId: thread })).steps;
      });
      expect(steps).toBe(3);
      expect(s.length).toBe(steps + 2);
      expect(s.filter(isLockedRead)).toHaveLength(1);
      expect(s.filter(isRead)).toHaveLength(0);
      expect(s.filter(isWrite)).toHaveLength(steps + 1);
    }
    // …and the fan-out's state is whole: every branch's write committed with its superstep.
    expect((await c.getTuple({ threadId: "fan" }))?.checkpoint.values).toMatchObject({ out: [1, 2, 3, 4, 5], total: 5 });
    expect(c.stats.transactions).toBe(3 * 4);
  });

  it("a queue worker's job: the lock and the first read in one statement, the run's own first read answered from it, one statement to release", async () => {
    const c = make();
    await chain.invoke({}, { checkpointer: c, durability: "sync", threadId: "t" });
    await c.release("t");
    let tuple: Awaited<ReturnType<PostgresCheckpointer["acquireLatest"]>>;
    expect(await counted(async () => (tuple = await c.acquireLatest("t")))).toHaveLength(1);
    expect(tuple!.checkpoint.values).toEqual((await make(c.schema).getTuple({ threadId: "t" }))?.checkpoint.values);
    const run = await counted(() => chain.invoke({}, { checkpointer: c, durability: "sync", threadId: "t" }));
    expect(run.filter(isRead)).toHaveLength(0);
    expect(run).toHaveLength(4); // input checkpoint + 3 supersteps
    expect(await counted(() => c.release("t"))).toHaveLength(1);
    // A thread without checkpoints reads as undefined, and the run's read is answered too.
    expect(await c.acquireLatest("new")).toBeUndefined();
    expect((await counted(() => chain.invoke({}, { checkpointer: c, durability: "sync", threadId: "new" }))).filter(isRead)).toHaveLength(0);
  });

  it("what acquireLatest read is not served after this process wrote the thread", async () => {
    const c = make();
    const k1 = ckpt({ threadId: "t" });
    await c.put(k1, { source: "input", step: 0, runId: "r" });
    expect((await c.acquireLatest("t"))?.checkpoint.id).toBe(k1.id);
    const k2 = ckpt({ threadId: "t", parentId: k1.id, step: 1 });
    await c.put(k2, { source: "loop", step: 1, runId: "r" });
    expect((await c.getTuple({ threadId: "t" }))?.checkpoint.id).toBe(k2.id);
  });

  it("acquireLatest on a thread another process holds is ThreadBusy and reads nothing", async () => {
    const schema = uniqueName("rag_trips_busy");
    const a = make(schema);
    const b = make(schema);
    await a.put(ckpt({ threadId: "t" }), { source: "input", step: 0, runId: "r" });
    await expect(b.acquireLatest("t")).rejects.toBeInstanceOf(ThreadBusyError);
    expect(b.heldThreads()).toEqual([]);
    await a.release("t");
    expect((await b.acquireLatest("t"))?.checkpoint.step).toBe(0);
  });

  it("the schema is checked once per process: a second checkpointer of it sends no migration statement; a current schema costs one query", async () => {
    const schema = uniqueName("rag_trips_mig");
    const first = make(schema);
    expect((await counted(() => first.threads())).some((s) => /CREATE TABLE/.test(s))).toBe(true);
    const second = make(schema);
    expect((await counted(() => second.threads())).filter((s) => /migrations/.test(s))).toEqual([]);
    forgetMigrated(schema); // as a new process
    const third = make(schema);
    const s = await counted(() => third.threads());
    expect(s.filter((x) => /migrations|CREATE|BEGIN/.test(x))).toEqual([`SELECT MAX(version) AS v FROM "${schema}".migrations`]);
  });

  it("a schema dropped under a live process is created again by its next operation", async () => {
    const c = make();
    await c.put(ckpt({ threadId: "t" }), { source: "input", step: 0, runId: "r" });
    await c.pool.query(`DROP SCHEMA "${c.schema}" CASCADE`);
    await expect(c.getTuple({ threadId: "t" })).rejects.toThrow(CheckpointError);
    expect(await c.getTuple({ threadId: "t" })).toBeUndefined();
  });

  it("a first write that fails after taking the thread's lock still lets release free the thread", async () => {
    const schema = uniqueName("rag_trips_fail");
    const a = make(schema);
    const b = make(schema);
    const k1 = ckpt({ threadId: "t" });
    await b.put(k1, { source: "input", step: 0, runId: "r" });
    await b.release("t");
    // a's first statement on t takes the lock, then fails (the checkpoint id exists): session locks outlive the rollback.
    await expect(a.put(k1, { source: "input", step: 0, runId: "r" })).rejects.toThrow(/already exists/);
    const k2 = ckpt({ threadId: "t", parentId: k1.id, step: 1 });
    await a.put(k2, { source: "loop", step: 1, runId: "r" });
    await expect(b.put(ckpt({ threadId: "t", parentId: k2.id, step: 2 }), { source: "loop", step: 2, runId: "r2" })).rejects.toBeInstanceOf(ThreadBusyError);
    await a.release("t");
    await b.put(ckpt({ threadId: "t", parentId: k2.id, step: 2 }), { source: "loop", step: 2, runId: "r2" });
    expect((await b.list("t")).map((t) => t.checkpoint.step)).toEqual([2, 1, 0]);
  });
});
