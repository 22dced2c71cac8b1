/**
 * Runs on a BullMQ queue (issue 13 §2), against the machine's real Redis and Postgres:
 * a submitter enqueues, an in-process `RunWorker` runs, events travel over a Redis
 * Stream (replayable from an id), blueprints travel by hash, interrupts release the
 * worker, cancellation reaches the worker, and two resumes of one thread never overlap.
 * Each test file uses its own key prefix, queue and schema, removed after.
 */
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { defineConfig, tool, z } from "../../index.js";
import { getState, type RunEvent } from "../../runtime/index.js";
import { PostgresCheckpointer, type QueueRunSubmitter, type RunWorker } from "../../scale/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { resumeJob, usePool } from "../helpers/distributed-pool.js";
import { missingServices, PG_URL, uniqueName } from "../helpers/services.js";
import { FAN } from "./fixtures.js";

const skip = await missingServices(["postgres", "redis"]);
const schema = uniqueName("rag_queue");
const prefix = uniqueName("ragq");

let active = 0;
let maxActive = 0;
const config = defineConfig({
  tools: {
    work: tool({
      description: "square, slowly; counts how many run at once",
      schema: z.object({ n: z.number() }),
      run: async ({ n }) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((ok) => setTimeout(ok, 30));
        active--;
        return n * n;
      },
    }),
  },
});
const registry = registryFromConfig(config);
const source = `${FAN}graph ask {
  start q
  state { decision: any  n: number = 0 }
  node q { kind interrupt prompt "go?" writes decision next bump }
  node bump { kind tool tool "work" input { n: 3 } writes n next END }
}
`;
const bp = (graph: string) => compileGraph(source, { file: "fan.rag", graph, registry: registry.view() }).value!;

let saver: PostgresCheckpointer;
let worker: RunWorker;
let submitter: QueueRunSubmitter;
usePool({ schema, prefix, registryFor: () => registry, names: ["w"], worker: { concurrency: 4, busyDelayMs: 50 } }, skip, (pool) => {
  [saver, worker, submitter] = [pool.savers[0], pool.workers[0], pool.submitter];
});

async function collect(runId: string, from?: string): Promise<{ id: string; event: RunEvent }[]> {
  const out: { id: string; event: RunEvent }[] = [];
  for await (const e of submitter.events(runId, from)) out.push(e);
  return out;
}

const runJob = (graph: string, input: Record<string, unknown>, threadId = uniqueName("t")) => {
  const b = bp(graph);
  return submitter.submit({ kind: "run", source, file: "fan.rag", graph, hash: b.hash, input, threadId });
};

describe.skipIf(skip)("runs on a BullMQ queue", () => {
  it("a queued run completes on a worker; its events replay from the start and from any id", async () => {
    const h = await runJob("fan", { items: [1, 2, 3] });
    const events = await collect(h.runId);
    expect(events.at(-1)!.event).toMatchObject({ type: "run_completed", state: { squares: [1, 4, 9], total: 14 } });
    expect(events.filter((e) => e.event.type === "task_completed")).toHaveLength(5);
    // A late subscriber after event 3 gets exactly the rest.
    const rest = await collect(h.runId, events[2].id);
    expect(rest.map((e) => e.id)).toEqual(events.slice(3).map((e) => e.id));
    expect(await submitter.outcome(h.runId)).toMatchObject({ status: "completed", state: { total: 14 } });
    expect(await submitter.summary(h.runId)).toMatchObject({ status: "completed", threadId: h.threadId, graph: "fan", worker: worker.name });
    // Checkpointed in Postgres, source stored by hash.
    expect((await saver.getTuple({ threadId: h.threadId }))!.checkpoint.blueprintHash).toBe(bp("fan").hash);
    expect((await saver.getSource(bp("fan").hash))!.source).toBe(source);
  }, 30_000);

  it("a job whose source does not compile to its hash is refused, and nothing runs", async () => {
    const threadId = uniqueName("t");
    const h = await submitter.submit({ kind: "run", source, file: "fan.rag", graph: "fan", hash: `sha256:${"0".repeat(64)}`, input: { items: [1] }, threadId });
    const outcome = await submitter.outcome(h.runId);
    expect(outcome).toMatchObject({ status: "failed", error: { code: "unknown_blueprint" } });
    expect(String((outcome as unknown as { error: { message: string } }).error.message)).toMatch(/compiles to sha256:/);
    expect(await saver.getTuple({ threadId })).toBeUndefined();
  }, 30_000);

  it("a job naming a cached blueprint's hash next to another source is refused (the cache is no bypass)", async () => {
    // The worker has `fan` compiled and cached (the job is run first so the test stands alone).
    expect(await submitter.outcome((await runJob("fan", { items: [2] })).runId)).toMatchObject({ status: "completed" });
    const forged = source.replace("sum(state.squares)", "sum(state.squares) + 1000");
    const threadId = uniqueName("t");
    const h = await submitter.submit({ kind: "run", source: forged, file: "fan.rag", graph: "fan", hash: bp("fan").hash, input: { items: [1] }, threadId });
    const outcome = await submitter.outcome(h.runId);
    expect(outcome).toMatchObject({ status: "failed", error: { code: "unknown_blueprint" } });
    expect(String((outcome as unknown as { error: { message: string } }).error.message)).toMatch(/compiles to sha256:/);
    expect(await saver.getTuple({ threadId })).toBeUndefined();
    // The stored source for the hash is still the real one.
    expect((await saver.getSource(bp("fan").hash))!.source).toBe(source);
  }, 30_000);

  it("an interrupt ends the job; a queued resume continues the thread from the stored source", async () => {
    const h = await runJob("ask", {});
    expect(await submitter.outcome(h.runId)).toMatchObject({ status: "interrupted" });
    expect(worker.running).toBe(0);
    expect(saver.heldThreads()).not.toContain(h.threadId);
    const r = await submitter.submit(await resumeJob(saver, h.threadId, { value: "yes" }));
    expect(await submitter.outcome(r.runId)).toMatchObject({ status: "completed", state: { decision: "yes", n: 9 } });
  }, 30_000);

  it("a resume of a thread whose blueprint source was never stored is refused", async () => {
    const other = new PostgresCheckpointer(`${PG_URL}?schema=${schema}`);
    const threadId = uniqueName("t");
    const { CompiledGraph } = await import("../../runtime/index.js");
    const lone = compileGraph(`graph lone { start q state { decision: any } node q { kind interrupt prompt "go?" writes decision next END } }`, { registry: registry.view() }).value!;
    await new CompiledGraph(lone, { registry, checkpointer: other }).invoke({}, { threadId });
    await other.closeAsync();
    const r = await submitter.submit(await resumeJob(saver, threadId, { value: "yes" }));
    expect(await submitter.outcome(r.runId)).toMatchObject({ status: "failed", error: { code: "unknown_blueprint" } });
  }, 30_000);

  it("cancellation reaches the worker running the run; the thread stays resumable", async () => {
    const h = await runJob("fan", { items: Array.from({ length: 40 }, (_, i) => i) });
    for await (const { event } of submitter.events(h.runId)) {
      if (event.type === "task_started") break;
    }
    await submitter.cancel(h.runId);
    expect(await submitter.outcome(h.runId)).toEqual({ status: "cancelled" });
    const again = await submitter.submit(await resumeJob(saver, h.threadId, {}));
    expect(await submitter.outcome(again.runId)).toMatchObject({ status: "completed", state: { total: Array.from({ length: 40 }, (_, i) => i * i).reduce((a, b) => a + b, 0) } });
  }, 30_000);

  it("two resumes of one thread never run at once: the second waits for the first", async () => {
    const h = await runJob("fan", { items: [1] });
    expect((await submitter.outcome(h.runId)).status).toBe("completed");
    // Continue the same thread twice at once (each re-runs nothing new but takes the thread).
    const a = await runJob("fan", { items: [1, 2, 3, 4, 5, 6] }, h.threadId);
    const b = await runJob("fan", { items: [7, 8, 9, 10, 11, 12] }, h.threadId);
    maxActive = 0;
    const [oa, ob] = await Promise.all([submitter.outcome(a.runId), submitter.outcome(b.runId)]);
    expect(oa.status).toBe("completed");
    expect(ob.status).toBe("completed");
    const sa = await submitter.summary(a.runId);
    const sb = await submitter.summary(b.runId);
    expect(sa!.status).toBe("completed");
    expect(sb!.status).toBe("completed");
    // Appends from both runs, none lost: the later one saw the earlier one's state.
    const final = (await getState(saver, h.threadId))!;
    const squares = (final.values.squares as number[]).slice().sort((x, y) => x - y);
    expect(squares).toEqual([1, 1, 4, 9, 16, 25, 36, 49, 64, 81, 100, 121, 144]);
    // Each run fans out to 6; had they overlapped, up to 12 tools would have run at once.
    expect(maxActive).toBeLessThanOrEqual(6);
  }, 30_000);
});
