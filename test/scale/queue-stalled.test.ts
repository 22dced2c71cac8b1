/**
 * A queued run whose workers keep dying (against the machine's real Redis and Postgres):
 * after `maxStalledCount` recoveries BullMQ's stall check fails the job itself, without
 * calling the worker's job function, so nothing ended the run and its watchers waited
 * forever on a summary that said `running`. A worker that sees BullMQ fail a job for
 * stalling now ends its run as failed (`stalled`) with a root `run_failed` event.
 * Here `maxStalledCount` is 0 (the first stall is one too many); worker A "dies" by a
 * forced close in the middle of a tool call (its lease is no longer renewed), and worker
 * B's stall check finds the job. Own key prefix, queue and schema, removed after.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { defineConfig, tool, z } from "../../index.js";
import { PostgresCheckpointer, QueueRunSubmitter, RunWorker } from "../../scale/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { deleteTestKeys, dropTestSchema, missingServices, PG_URL, REDIS_URL, uniqueName } from "../helpers/services.js";

const skip = await missingServices(["postgres", "redis"]);
const schema = uniqueName("rag_stall");
const prefix = uniqueName("ragstall");
const queueUrl = `${REDIS_URL}?queue=runs&prefix=${prefix}`;

let holding: (() => void) | undefined;
const registry = registryFromConfig(
  defineConfig({
    tools: {
      // Never returns: the worker holding the job is "killed" while it waits.
      hang: tool({ description: "never returns", schema: z.object({}), run: async () => (holding?.(), new Promise<never>(() => undefined)) }),
    },
  }),
);
const source = `graph stuck {
  start a
  state { r: any }
  node a { kind tool tool "hang" input {} writes r next END }
}
`;
const bp = compileGraph(source, { file: "stuck.rag", graph: "stuck", registry: registry.view() }).value!;
const lease = { lockDurationMs: 600, stalledIntervalMs: 300, maxStalledCount: 0 };

let saver: PostgresCheckpointer;
let submitter: QueueRunSubmitter;
const workers: RunWorker[] = [];

beforeAll(async () => {
  if (skip) return;
  saver = new PostgresCheckpointer(`${PG_URL}?schema=${schema}`);
  submitter = new QueueRunSubmitter(queueUrl, { checkpoints: saver, attempts: 1 });
});

afterAll(async () => {
  if (skip) return;
  await submitter.close();
  for (const w of workers) await w.close(true);
  await saver.closeAsync();
  await dropTestSchema(schema);
  await deleteTestKeys(prefix);
});

describe.skipIf(skip)("a queued run whose job stalls past maxStalledCount", () => {
  it("ends failed (`stalled`) with a run_failed event, not `running` forever", async () => {
    const a = new RunWorker({ queue: queueUrl, checkpointer: saver, registry, busyDelayMs: 50, ...lease });
    workers.push(a);
    await a.start();
    const started = new Promise<void>((ok) => (holding = ok));
    const h = await submitter.submit({ kind: "run", source, file: "stuck.rag", graph: "stuck", hash: bp.hash, input: {}, threadId: uniqueName("t") });
    await started;
    await a.close(true); // worker A dies: its lease is no longer renewed
    const b = new RunWorker({ queue: queueUrl, checkpointer: saver, registry, busyDelayMs: 50, ...lease });
    workers.push(b);
    await b.start();
    let s = await submitter.summary(h.runId);
    for (const end = Date.now() + 15_000; s?.status !== "failed" && Date.now() < end; ) {
      await new Promise((ok) => setTimeout(ok, 100));
      s = await submitter.summary(h.runId);
    }
    expect(s).toMatchObject({ status: "failed", error: { code: "stalled" } });
    expect(await submitter.outcome(h.runId)).toMatchObject({ status: "failed", error: { code: "stalled" } });
    const events = [];
    for await (const e of submitter.log.read(h.runId)) events.push(e.event);
    expect(events.filter((e) => e.type === "run_failed" && e.depth === 0)).toHaveLength(1);
  }, 30_000);
});
