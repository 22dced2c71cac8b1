/**
 * `distribute: branches` when a branch PAUSES (issue 13 §2: "interrupts release the
 * worker"), against the machine's real Redis and Postgres: a fan-out whose branches call
 * a tool needing approval (`approve ["refund"]`), or run a custom node kind that calls
 * `interrupt()`, pauses exactly like the same graph in one process — the run ends
 * `interrupted` with the same interrupts, recorded with the checkpoint, the worker lets
 * the thread go, the other branches' committed results are kept; a resume with the
 * answers hands over only the paused branches again, and the join fires once, with the
 * in-process final state. Two workers with their own checkpointer connections stand for
 * two machines. Own key prefix, queue and schema, removed after.
 */
import { Queue } from "bullmq";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { defineConfig, tool, z } from "../../index.js";
import { CompiledGraph, MemoryCheckpointer, pendingInterrupts, type PendingInterrupt, type RunEvent } from "../../runtime/index.js";
import { branchQueueName, PostgresCheckpointer, type QueueRunSubmitter, type RunWorker } from "../../scale/index.js";
import { Project, Workspace } from "../../server/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { missingServices, PG_URL, uniqueName } from "../helpers/services.js";
import { scratchDir } from "../helpers/scratch-dirs.js";
import { ended, jobData, resumeJob, runEvents, usePool } from "../helpers/distributed-pool.js";

const skip = await missingServices(["postgres", "redis"]);
const schema = uniqueName("rag_dpause");
const prefix = uniqueName("ragdp");

/** Who ran each tool call, by tool and argument. */
const ran = new Map<string, string[]>();
/** What the custom `asker` kind did, per run of its task body. */
const asked: string[] = [];
const note = (key: string, who: string) => ran.set(key, [...(ran.get(key) ?? []), who]);

const configFor = (who: string) =>
  defineConfig({
      tools: {
        work: tool({
          description: "square, after 20 ms; records who ran it",
          schema: z.object({ n: z.number() }),
          run: async ({ n }) => {
            await new Promise((ok) => setTimeout(ok, 20));
            note(`work ${n}`, who);
            return n * n;
          },
        }),
        refund: tool({
          description: "refunds n; records who ran it",
          schema: z.object({ n: z.number() }),
          run: async ({ n }) => {
            note(`refund ${n}`, who);
            return n;
          },
        }),
      },
  });
const registryFor = (who: string) => {
  const registry = registryFromConfig(configFor(who));
  // A custom kind that pauses twice (a name, then an age), like test/runtime/interrupts.test.ts's.
  registry.registerNodeKind("asker", async (task) => {
    const n = (task.args as { n: number }).n;
    asked.push(`start ${n}`);
    const name = task.interrupt<string>({ question: "name?", n });
    const age = task.interrupt<number>({ question: "age?", n });
    return { result: `${name} (${age})`, writes: [["who", `${name} (${age})`]] };
  });
  return registry;
};

const refundSource = `graph refunds {
  start split
  defaults { distribute: branches }
  input { items: list<number>  refunds: list<number> }
  state { out: list<number> append  total: number = 0 }
  node split { kind set send [w { n: x } for x in input.items -> out, r { n: x } for x in input.refunds -> out] join sum }
  node w { kind tool tool "work" }
  node r { kind tool tool "refund" approve ["refund"] }
  node sum { kind set set { total: sum(state.out) } next END }
}
`;
const askSource = `graph asks {
  start split
  defaults { distribute: branches }
  input { items: list<number> }
  state { out: list<number> append  who: list<string> append  done: boolean = false }
  node split { kind set send [w { n: x } for x in input.items -> out, a { n: 7 }] join fin }
  node w { kind tool tool "work" }
  node a { kind asker }
  node fin { kind set set { done: true } next END }
}
`;
/** The refund fan-out one level down: a subgraph node's child graph pauses on its branches' approvals. */
const childSource = `graph souter {
  start prep
  defaults { distribute: branches }
  input { items: list<number>  refunds: list<number> }
  state { log: list<string> append  total: number = 0 }
  node prep { kind set set { log: "prep" } next inner }
  node inner { kind subgraph graph "rfan" input { items: input.items, refunds: input.refunds } writes { total: result.total } next after }
  node after { kind set set { log: "after" } next END }
}
graph rfan {
  start split
  input { items: list<number>  refunds: list<number> }
  state { out: list<number> append  total: number = 0 }
  output { total: number }
  node split { kind set send [w { n: x } for x in input.items -> out, r { n: x } for x in input.refunds -> out] join sum }
  node w { kind tool tool "work" }
  node r { kind tool tool "refund" approve ["refund"] }
  node sum { kind set set { total: sum(state.out) } next END }
}
`;
/** Send targets that pause on their own: an `interrupt` node (with options) and an `interrupt before` target. */
const humanSource = `graph humans {
  start split
  defaults { distribute: branches }
  input { items: list<number>  checks: list<number> }
  state { out: list<number> append  answers: list<any> append  done: boolean = false }
  node split { kind set send [w { n: x } for x in input.items -> out, ask { n: x } for x in input.checks -> answers, v { n: x } for x in input.checks -> out] join fin }
  node w { kind tool tool "work" }
  node ask { kind interrupt prompt "check {{ args.n }}?" options ["yes", "no"] }
  node v { kind tool tool "work" }
  node fin { kind set set { done: true } next END }
  interrupt before [v]
}
`;
const local = registryFor("local");
const compile = (source: string, graph: string) => compileGraph(source, { file: `${graph}.rag`, graph, registry: local.view() }).value!;
const refundBp = compile(refundSource, "refunds");
const askBp = compile(askSource, "asks");
const humanBp = compile(humanSource, "humans");
const childCompiled = compileGraph(childSource, { file: "souter.rag", graph: "souter", registry: local.view() });
const childBp = childCompiled.value!;
const inProcess = (bp: typeof refundBp) => new CompiledGraph(bp, { registry: local, checkpointer: new MemoryCheckpointer(), graphs: new Map(childCompiled.compilation.blueprints.map((b) => [b.id, b])) });

let savers: PostgresCheckpointer[] = [];
let workers: RunWorker[] = [];
let submitter: QueueRunSubmitter;
usePool({ schema, prefix, registryFor }, skip, (pool) => ({ savers, workers, submitter } = pool));

/** A run's events, to its end. */
function eventsOf(runId: string): Promise<RunEvent[]> {
  return runEvents(submitter, runId);
}

/** The nodes of a thread's branch jobs on the pool's branch queue (each checked to be of the child run `rfan`). */
async function branchJobs(threadId: string): Promise<string[]> {
  const q = new Queue(branchQueueName("runs"), { connection: workers[0].url.connection, prefix });
  const secret = await savers[0].queueSecret();
  const jobs = (await q.getJobs(["completed", "failed", "waiting", "active", "delayed"])).map((j) => jobData<{ threadId: string; namespace: string; node: string }>(j, secret)).filter((d) => d.threadId === threadId);
  await q.close();
  for (const j of jobs) expect(j.namespace).toMatch(/^\d+\.\d+:rfan$/);
  return jobs.map((j) => j.node);
}

const started = (events: readonly RunEvent[], node: string) => events.filter((e) => e.type === "task_started" && e.node === node && e.depth === 0);
const interruptsOf = (o: Awaited<ReturnType<QueueRunSubmitter["outcome"]>>) => (o.status === "interrupted" ? o.interrupts : []);
const shape = (i: readonly PendingInterrupt[]) => i.map((x) => ({ id: x.id, kind: x.kind, node: x.node, taskId: x.taskId, payload: x.payload, namespace: x.namespace }));

describe.skipIf(skip)("distribute: branches, when a branch pauses", () => {
  it("branches asking to approve a tool call pause the run like in-process; a resume with the answers runs only them, and the join fires once", async () => {
    const input = { items: [1, 2, 3, 4, 5, 6], refunds: [10, 20] };
    // In one process: the run pauses on both approvals, then a resume with answers completes it.
    const g = inProcess(refundBp);
    const paused = await g.invoke(input, { threadId: "x" });
    expect(paused.status).toBe("interrupted");
    expect(paused.interrupts).toHaveLength(2);
    const [first, second] = paused.interrupts;
    const answers = { [first.id]: "approve", [second.id]: { choice: "approve", args: { n: 21 } } };
    const expected = await g.resume("x", { values: answers });
    expect(expected.status).toBe("completed");
    expect(expected.state.total).toBe(91 + 10 + 21);

    ran.clear();
    const h = await submitter.submit({ kind: "run", source: refundSource, file: "refunds.rag", graph: "refunds", hash: refundBp.hash, input, threadId: uniqueName("t") });
    const events = await eventsOf(h.runId);
    const out = await submitter.outcome(h.runId);
    // The run paused (not failed) with the in-process run's interrupts: same ids, payloads, tasks.
    expect(out.status).toBe("interrupted");
    expect(shape(interruptsOf(out))).toEqual(shape(paused.interrupts));
    expect(events.filter((e) => e.type === "interrupt").map((e) => e.interruptId).sort()).toEqual([first.id, second.id].sort());
    // No refund ran before its approval; every other branch ran once, on the pool.
    expect([...ran.keys()].filter((k) => k.startsWith("refund"))).toEqual([]);
    for (const n of input.items) expect(ran.get(`work ${n}`)).toHaveLength(1);
    expect(new Set([...ran.values()].flat())).toEqual(new Set(["a", "b"]));
    // The pause is recorded with the checkpoint, beside the other branches' committed records; no worker holds the thread.
    const tuple = await savers[0].getTuple({ threadId: h.threadId });
    expect(shape(pendingInterrupts(tuple!))).toEqual(shape(paused.interrupts));
    expect(tuple!.pendingWrites.filter((w) => w.channel === "__task__")).toHaveLength(input.items.length);
    for (const s of savers) expect(s.heldThreads()).not.toContain(h.threadId);
    expect(started(events, "sum")).toHaveLength(0);

    // The API's / `rag resume`'s continuation: a resume job with the answers.
    const r = await submitter.submit(await resumeJob(savers[0], h.threadId, { values: answers }));
    const resumed = await eventsOf(r.runId);
    expect(await submitter.outcome(r.runId)).toEqual({ status: "completed", state: expected.state });
    // Only the paused branches were handed over again (with the answers); the committed ones were restored, not re-run.
    expect(started(resumed, "r")).toHaveLength(2);
    expect(started(resumed, "w")).toHaveLength(0);
    for (const n of input.items) expect(ran.get(`work ${n}`)).toHaveLength(1);
    expect(ran.get("refund 10")).toHaveLength(1);
    expect(ran.get("refund 21")).toHaveLength(1);
    expect(ran.has("refund 20")).toBe(false);
    // The join fired once.
    expect(started(resumed, "sum")).toHaveLength(1);
  }, 30_000);

  it("a custom node kind that calls interrupt() twice in a branch pauses twice, like in-process; each resume answers one", async () => {
    const input = { items: [1, 2, 3] };
    const g = inProcess(askBp);
    const p1 = await g.invoke(input, { threadId: "x" });
    const p2 = await g.resume("x", { value: "Ada" });
    const expected = await g.resume("x", { value: 36 });
    expect([p1.status, p2.status, expected.status]).toEqual(["interrupted", "interrupted", "completed"]);
    expect(expected.state.who).toEqual(["Ada (36)"]);

    ran.clear();
    asked.length = 0;
    const threadId = uniqueName("t");
    const h = await submitter.submit({ kind: "run", source: askSource, file: "asks.rag", graph: "asks", hash: askBp.hash, input, threadId });
    const o1 = await submitter.outcome(h.runId);
    expect(o1.status).toBe("interrupted");
    expect(shape(interruptsOf(o1))).toEqual(shape(p1.interrupts));
    const r2 = await submitter.submit(await resumeJob(savers[0], threadId, { value: "Ada" }));
    const o2 = await submitter.outcome(r2.runId);
    expect(o2.status).toBe("interrupted");
    // The second question is the one pending (recorded with the checkpoint, replacing the first).
    expect(o2.status, JSON.stringify(o2)).toBe("interrupted");
    expect(shape(interruptsOf(o2))).toEqual(shape(p2.interrupts));
    expect(shape(pendingInterrupts((await savers[0].getTuple({ threadId }))!))).toEqual(shape(p2.interrupts));
    const r3 = await submitter.submit(await resumeJob(savers[0], threadId, { value: 36 }));
    const resumed = await eventsOf(r3.runId);
    expect(await submitter.outcome(r3.runId)).toEqual({ status: "completed", state: expected.state });
    expect(started(resumed, "fin")).toHaveLength(1);
    // The asking branch re-ran from its start on each resume; the `work` branches ran once.
    expect(asked).toEqual(["start 7", "start 7", "start 7"]);
    for (const n of input.items) expect(ran.get(`work ${n}`)).toHaveLength(1);
  }, 30_000);

  it("a subgraph's fan-out whose branches pause: the run pauses like in-process; rag serve's resume answers them; the child's join fires once", async () => {
    const input = { items: [1, 2, 3, 4], refunds: [10, 20] };
    const g = inProcess(childBp);
    const localEvents: RunEvent[] = [];
    for await (const e of g.stream(input, { threadId: "x" })) localEvents.push(e);
    const paused = (await g.getState("x"))!;
    expect(paused.status).toBe("interrupted");
    expect(paused.interrupts).toHaveLength(2);
    // The pauses are the child run's (their namespace is the subgraph node's child).
    for (const i of paused.interrupts) expect(i).toMatchObject({ node: "r", namespace: expect.stringMatching(/^\d+\.\d+:rfan$/) });
    const [first, second] = paused.interrupts;
    const answers = { [first.id]: "approve", [second.id]: { choice: "approve", args: { n: 21 } } };
    const expected = await g.resume("x", { values: answers });
    expect(expected.status).toBe("completed");
    expect(expected.state).toMatchObject({ log: ["prep", "after"], total: 30 + 10 + 21 });

    // `rag serve --queue` (a third process, with its own connection): the run and its resume go through the server's run manager to the pool.
    const dir = scratchDir("rag-dpause-");
    writeFileSync(join(dir, "souter.rag"), childSource);
    const serve = new Project(new Workspace(dir), { path: undefined, config: configFor("serve"), registry: registryFor("serve") }, { approvals: join(dir, ".rag", "approvals.json"), checkpointer: new PostgresCheckpointer(`${PG_URL}?schema=${schema}`), queue: submitter });
    try {
      ran.clear();
      const run = await serve.startRun({ file: "souter.rag", input });
      const events = await eventsOf(run.runId);
      const out = await submitter.outcome(run.runId);
      expect(out.status).toBe("interrupted");
      expect(shape(interruptsOf(out))).toEqual(shape(paused.interrupts));
      expect((await ended(run)).status).toBe("interrupted");
      // The same `interrupt` events as in-process (the child run's, then the root's).
      const interruptEvents = (evs: readonly RunEvent[]) => evs.filter((e) => e.type === "interrupt").map((e) => `${e.depth} ${e.interruptId}`).sort();
      expect(interruptEvents(events)).toEqual(interruptEvents(localEvents));
      expect(interruptEvents(events)).toEqual([`0 ${first.id}`, `0 ${second.id}`, `1 ${first.id}`, `1 ${second.id}`].sort());
      // The child's branches were branch jobs on the pool; no refund ran before its approval; no worker holds the thread.
      expect([...ran.keys()].filter((k) => k.startsWith("refund"))).toEqual([]);
      for (const n of input.items) expect(ran.get(`work ${n}`)).toHaveLength(1);
      expect(new Set([...ran.values()].flat())).toEqual(new Set(["a", "b"]));
      for (const s of savers) expect(s.heldThreads()).not.toContain(run.threadId);
      // Branch jobs naming the child's namespace; the paused ones were removed (the resume hands them over afresh).
      expect((await branchJobs(run.threadId)).sort()).toEqual(["w", "w", "w", "w"]);
      const childStarted = (evs: readonly RunEvent[], node: string) => evs.filter((e) => e.type === "task_started" && e.node === node && e.depth === 1);
      expect(childStarted(events, "sum")).toHaveLength(0);
      expect(started(events, "after")).toHaveLength(0);
      // What GET /api/threads/{id}/state shows: the thread waits on the child's two approvals.
      expect(shape((await serve.state(run.threadId)).interrupts)).toEqual(shape(paused.interrupts));

      // POST /api/threads/{id}/resume with the answers: a resume job for the pool.
      const again = await serve.resume(run.threadId, { answers });
      const resumed = await eventsOf(again.runId);
      expect(await submitter.outcome(again.runId)).toEqual({ status: "completed", state: expected.state });
      expect((await ended(again)).status).toBe("completed");
      // Only the paused branches ran again (with the answers); the committed ones were restored.
      expect(childStarted(resumed, "r")).toHaveLength(2);
      expect(childStarted(resumed, "w")).toHaveLength(0);
      for (const n of input.items) expect(ran.get(`work ${n}`)).toHaveLength(1);
      expect(ran.get("refund 10")).toHaveLength(1);
      expect(ran.get("refund 21")).toHaveLength(1);
      expect(ran.has("refund 20")).toBe(false);
      // The child's join fired once, over both runs; the parent went on once.
      expect(childStarted(resumed, "sum")).toHaveLength(1);
      expect(started(resumed, "after")).toHaveLength(1);
      expect(started(resumed, "inner")).toHaveLength(1);
      expect((await branchJobs(run.threadId)).sort()).toEqual(["r", "r", "w", "w", "w", "w"]);
    } finally {
      serve.close(); // and its own checkpointer (the workers' stay open)
    }
  }, 30_000);

  it("interrupt nodes and `interrupt before` targets as send targets are branch jobs too: they pause like in-process, and the resume runs them on the pool", async () => {
    const input = { items: [1, 2, 3], checks: [10, 20] };
    const g = inProcess(humanBp);
    const paused = await g.invoke(input, { threadId: "x" });
    expect(paused.status).toBe("interrupted");
    // In one process the step pauses before the `v` branches, with nothing run (`interrupt before` is the loop's pause).
    expect(paused.interrupts.map((i) => `${i.kind} ${i.node}`).sort()).toEqual(["before v", "before v"]);
    const p2 = await g.resume("x", {});
    expect(p2.status).toBe("interrupted");
    expect(p2.interrupts.map((i) => `${i.kind} ${i.node}`)).toEqual(["node ask", "node ask"]);
    const answers = Object.fromEntries(p2.interrupts.map((i, k) => [i.id, k ? "no" : "yes"]));
    const expected = await g.resume("x", { values: answers });
    expect(expected.status).toBe("completed");

    ran.clear();
    const threadId = uniqueName("t");
    const h = await submitter.submit({ kind: "run", source: humanSource, file: "humans.rag", graph: "humans", hash: humanBp.hash, input, threadId });
    const o1 = await submitter.outcome(h.runId);
    expect(o1.status).toBe("interrupted");
    expect(shape(interruptsOf(o1))).toEqual(shape(paused.interrupts));
    expect(ran.size).toBe(0);
    const r2 = await submitter.submit(await resumeJob(savers[0], threadId, {}));
    const o2 = await submitter.outcome(r2.runId);
    expect(o2.status, JSON.stringify(o2)).toBe("interrupted");
    expect(shape(interruptsOf(o2))).toEqual(shape(p2.interrupts));
    // The `interrupt` node's payload rendered its branch's arguments, as in-process.
    expect(interruptsOf(o2).map((i) => (i.payload as { prompt: string }).prompt).sort()).toEqual(["check 10?", "check 20?"]);
    const r3 = await submitter.submit(await resumeJob(savers[0], threadId, { values: answers }));
    const resumed = await eventsOf(r3.runId);
    expect(await submitter.outcome(r3.runId)).toEqual({ status: "completed", state: expected.state });
    expect(started(resumed, "fin")).toHaveLength(1);
    for (const n of [1, 2, 3, 10, 20]) expect(ran.get(`work ${n}`)).toHaveLength(1);
    // Every branch — the interrupt nodes and the `before` targets included — was a branch job on the pool.
    const q = new Queue(branchQueueName("runs"), { connection: workers[0].url.connection, prefix });
    const secret = await savers[0].queueSecret();
    const jobs = (await q.getJobs(["completed"])).map((j) => jobData<{ threadId: string; node: string }>(j, secret)).filter((d) => d.threadId === threadId);
    await q.close();
    expect(jobs.map((j) => j.node).sort()).toEqual(["ask", "ask", "v", "v", "w", "w", "w"]);
  }, 30_000);
});
