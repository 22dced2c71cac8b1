/**
 * A queued run whose job fails its LAST attempt (against the machine's real Redis and
 * Postgres): the run could not reach its checkpoints through every attempt BullMQ was
 * given. BullMQ then fails the job for good, and nothing ended the run: its summary said
 * `running` forever and every watcher (`rag run --queue`, the SSE clients of `rag serve`)
 * waited for an end that never came. The worker now ends such a run as failed, with a
 * root `run_failed` event carrying the store's error. The store failure here is real: the
 * worker's Postgres schema is dropped under it (as a restore of an older backup would).
 * Own key prefix, queue and schema, removed after.
 */
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { defineConfig, tool, z } from "../../index.js";
import type { RunEvent } from "../../runtime/index.js";
import type { QueueRunSubmitter } from "../../scale/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { usePool } from "../helpers/distributed-pool.js";
import { dropTestSchema, missingServices, uniqueName } from "../helpers/services.js";

const skip = await missingServices(["postgres", "redis"]);
const schema = uniqueName("rag_last");
const prefix = uniqueName("raglast");

/** Lets the `hold` tool return (set while it waits). */
let release: (() => void) | undefined;
let holding: (() => void) | undefined;
const registry = registryFromConfig(
  defineConfig({
    tools: {
      hold: tool({
        description: "waits until the test releases it",
        schema: z.object({ n: z.number() }),
        run: async ({ n }) => {
          holding?.();
          await new Promise<void>((ok) => (release = ok));
          return n;
        },
      }),
    },
  }),
);
const source = `graph held {
  start a
  state { n: number = 0  done: boolean = false }
  node a { kind tool tool "hold" input { n: 2 } writes n next b }
  node b { kind set set { done: true } next END }
}
`;
const bp = compileGraph(source, { file: "held.rag", graph: "held", registry: registry.view() }).value!;

let submitter: QueueRunSubmitter;
// One attempt per job: its first failure is its last.
usePool({ schema, prefix, registryFor: () => registry, names: ["w"], worker: { busyDelayMs: 50 }, submitter: { attempts: 1 } }, skip, (pool) => {
  submitter = pool.submitter;
});

/** The run's events to its end, or what came within `ms` (a watcher left waiting). */
async function eventsWithin(runId: string, ms: number): Promise<{ events: RunEvent[]; ended: boolean }> {
  const events: RunEvent[] = [];
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), ms);
  const it = submitter.log.read(runId, "0-0", stop.signal);
  for (;;) {
    const r = await it.next();
    if (r.done) {
      clearTimeout(timer);
      return { events, ended: r.value !== undefined };
    }
    events.push(r.value.event);
  }
}

describe.skipIf(skip)("a queued run whose job fails its last attempt", () => {
  it("its checkpoints vanish mid-run: the run ends failed with a run_failed event naming the store's error, not `running` forever", async () => {
    const started = new Promise<void>((ok) => (holding = ok));
    const h = await submitter.submit({ kind: "run", source, file: "held.rag", graph: "held", hash: bp.hash, input: {}, threadId: uniqueName("t") });
    await started;
    await dropTestSchema(schema);
    release!();
    const { events, ended } = await eventsWithin(h.runId, 5000);
    expect(ended).toBe(true);
    const failed = events.filter((e) => e.type === "run_failed" && e.depth === 0);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ runId: h.runId, error: { code: "checkpoint" } });
    expect(String((failed[0] as unknown as { error: { message: string } }).error.message)).toContain(schema);
    expect(await submitter.summary(h.runId)).toMatchObject({ status: "failed", error: { code: "checkpoint" } });
    expect(await submitter.outcome(h.runId)).toMatchObject({ status: "failed", error: { code: "checkpoint" } });
  }, 30_000);
});
