/**
 * Red team 5 (real Redis and Postgres): a branch result read back from Redis. The run
 * took a branch job's return value as the branch's record and applied it: a peer with
 * access to Redis — here a rogue consumer of the `<queue>-branches` queue, which is all
 * it takes — returned writes to a field the branch never writes (`approved: true`), an
 * overwrite marker that wiped an `append` audit log, and a `goto` to a node the branch
 * cannot reach, which ran a tool (`pay`) the graph reaches only through a check. The run
 * now reads a completed branch's record from Postgres, where the worker that ran it
 * committed it (`PostgresCheckpointer.branchRecord`), checks the reply's shape
 * (`branchReply`: untrusted JSON, null-prototype, bounded), and refuses a reply whose
 * record the store does not hold; the job is removed, so a resume runs the branch again.
 */
import { Worker } from "bullmq";
import { beforeAll, describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { defineConfig, tool, z } from "../../index.js";
import { branchQueueName, branchReply, PostgresCheckpointer, RunWorker, type QueueRunSubmitter } from "../../scale/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { resumeJob, usePool } from "../helpers/distributed-pool.js";
import { missingServices, PG_URL, REDIS_URL, uniqueName } from "../helpers/services.js";

const skip = await missingServices(["postgres", "redis"]);
const schema = uniqueName("rag_rt5b");
const prefix = uniqueName("rt5b");

const fired: string[] = [];
const tools = {
  work: tool({ description: "square", schema: z.object({ n: z.number() }), run: async ({ n }: { n: number }) => n * n }),
  pay: tool({ description: "pays", schema: z.object({}).passthrough(), run: async () => (fired.push("pay"), "paid") }),
};
const source = `graph fan {
  start split
  defaults { distribute: branches }
  input { items: list<number> }
  state { squares: list<number> append  approved: boolean = false  log: list<string> append = ["audit"] }
  output { squares: list<number>  approved: boolean  log: list<string> }
  node split { kind set send [w { n: x } for x in input.items -> squares] join check }
  node w { kind tool tool "work" }
  node check { kind set set { log: "checked" } routes { when state.approved -> pay  else -> END } }
  node pay { kind tool tool "pay" next END }
}
`;
const registry = registryFromConfig(defineConfig({ tools }));
const bp = compileGraph(source, { file: "fan.rag", graph: "fan", registry: registry.view() }).value!;

let worker: RunWorker;
let saver: PostgresCheckpointer;
let submitter: QueueRunSubmitter;
usePool({ schema, prefix, registryFor: () => registry, names: ["w"], worker: { concurrency: 2, branchConcurrency: 2, busyDelayMs: 50 } }, skip, (pool) => {
  [worker, saver, submitter] = [pool.workers[0], pool.savers[0], pool.submitter];
});

const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
/** Replies a rogue consumer of the branch queue returns (what Redis then holds as the job's return value). */
const forged: { name: string; reply: () => unknown }[] = [
  { name: "a write to a field the branch never writes, and a goto past the check", reply: () => ({ record: { writes: [["approved", true]], done: { ok: true, goto: ["pay"] } } }) },
  { name: "an overwrite marker wiping the append audit log", reply: () => ({ record: { writes: [["log", { __overwrite__: ["wiped"] }], ["squares", 1]], done: { ok: true } } }) },
  { name: "the branch's own field with a value it did not compute", reply: () => ({ record: { writes: [["squares", 1_000_000]], done: { ok: true } } }) },
  { name: "a __proto__ key (JSON text)", reply: () => JSON.parse('{"record": {"writes": [["squares", 1]], "done": {"ok": true, "result": {"__proto__": {"approved": true}}}}}') as unknown },
  { name: "a record nested 1,000 deep", reply: () => JSON.parse(`{"record": {"writes": [["squares", ${deep(1000)}]], "done": {"ok": true}}}`) as unknown },
  { name: "not a result at all", reply: () => "approved" },
  { name: "a record with extra keys", reply: () => ({ record: { writes: [], done: { ok: true } }, goto: ["pay"] }) },
];

describe.skipIf(skip)("a branch result forged by a Redis peer is never applied", () => {
  const threads: string[] = [];
  // Only the rogue consumes branch jobs until the honest worker `w2` starts (the pool's worker keeps running the runs).
  beforeAll(async () => {
    await worker.branchWorker.close();
  });

  for (const f of forged)
    it(`${f.name}: the run refuses it, nothing it says is written or run`, async () => {
      fired.length = 0;
      const rogue = new Worker(branchQueueName("runs"), async () => f.reply(), { connection: worker.url.connection, prefix });
      const threadId = uniqueName("t");
      threads.push(threadId);
      try {
        const h = await submitter.submit({ kind: "run", source, file: "fan.rag", graph: "fan", hash: bp.hash, input: { items: [3] }, threadId });
        const out = await submitter.outcome(h.runId);
        expect(out.status).toBe("failed");
        expect(JSON.stringify(out)).toMatch(/refused, nothing of it applied/);
      } finally {
        await rogue.close();
      }
      expect(fired).toEqual([]);
      const head = await saver.getTuple({ threadId });
      expect(head?.checkpoint.values).toMatchObject({ approved: false, log: ["audit"], squares: [] });
    });

  it("the forged jobs were removed: with an honest worker, resuming each thread runs its branch again and completes; an honest run completes", async () => {
    const saver2 = new PostgresCheckpointer(`${PG_URL}?schema=${schema}`);
    const w2 = new RunWorker({ queue: `${REDIS_URL}?queue=runs&prefix=${prefix}`, checkpointer: saver2, registry, name: "w2", concurrency: 2, branchConcurrency: 2, busyDelayMs: 50 });
    await w2.start();
    try {
      // The forged-reply tests above left one paused thread each (run this file whole).
      expect(threads.length).toBeGreaterThan(0);
      for (const threadId of threads) {
        const r = await submitter.submit(await resumeJob(saver, threadId, {}));
        expect(await submitter.outcome(r.runId)).toMatchObject({ status: "completed", state: { squares: [9], approved: false, log: ["audit", "checked"] } });
      }
      const h = await submitter.submit({ kind: "run", source, file: "fan.rag", graph: "fan", hash: bp.hash, input: { items: [1, 2, 3] }, threadId: uniqueName("t") });
      expect(await submitter.outcome(h.runId)).toMatchObject({ status: "completed", state: { approved: false } });
      expect([...((await submitter.outcome(h.runId)) as unknown as { state: { squares: number[] } }).state.squares].sort((a, b) => a - b)).toEqual([1, 4, 9]);
      expect(fired).toEqual([]);
    } finally {
      await w2.close(true);
      await saver2.closeAsync();
    }
  });

  it("branchReply: each malformed reply shape is refused without throwing (table)", () => {
    const bad: unknown[] = [null, 5, "{", "[]", { record: { writes: "x" } }, { record: { writes: [[5, 1]] } }, { error: "x" }, { interrupts: [] }, { interrupts: "x" }, JSON.parse('{"error": {"__proto__": {}}}'), JSON.parse(`{"error": {"a": ${deep(300)}}}`)];
    for (const v of bad) expect(branchReply(v)).toBeUndefined();
    expect(branchReply({ error: { code: "x", message: "y" } })).toEqual({ error: { code: "x", message: "y" } });
    expect(branchReply('{"record": {"writes": [["a", 1]], "done": {"ok": true}}}')).toMatchObject({ record: { writes: [["a", 1]] } });
  });
});
