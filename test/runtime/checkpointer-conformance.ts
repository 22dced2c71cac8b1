/**
 * The checkpointer conformance suite (`runtime.md` §3): one set of tests that every
 * backend must pass. `checkpointers.test.ts` runs it against each backend.
 */
import { describe, expect, it } from "vitest";
import { CheckpointError, getStateHistory, pendingInterrupts, snapshot, spentAt, threadStatus, type Checkpoint, type Checkpointer, type CheckpointMetadata, type StateSnapshot } from "../../runtime/index.js";

export interface BackendUnderTest {
  readonly name: string;
  /** A fresh, empty checkpointer. */
  make(): Checkpointer;
  /** For durable backends: closes `c` and opens the same store again (a backend that closes asynchronously returns a promise). */
  reopen?(c: Checkpointer): Checkpointer | Promise<Checkpointer>;
}

let n = 0;
/** A checkpoint with plausible contents; `over` replaces fields. */
export function ckpt(over: Partial<Checkpoint> & { threadId: string }): Checkpoint {
  n++;
  return {
    v: 1,
    id: `c${n}`,
    namespace: "",
    graph: "g",
    blueprintHash: "sha256:abc",
    runId: "run-1",
    step: 0,
    ts: 1_700_000_000_000 + n,
    values: { n: 1, text: "héllo ✓", list: [1, { deep: [null, true] }], none: null },
    versions: { n: 1 },
    seen: { a: { n: 1 } },
    next: [{ id: "2.0", node: "worker", trigger: "send", args: { item: "x" }, branch: { fanoutId: "f1", index: 0 } }],
    detached: [],
    planner: { nextFanout: 2, fanouts: { f1: { id: "f1", node: "s", join: { target: "j", wait: "all" }, live: [1], ended: [false], failed: [false], released: false } }, arrivals: {} },
    interrupts: [],
    input: { q: "question" },
    errors: [],
    result: "last",
    ...over,
  };
}

const meta = (over: Partial<CheckpointMetadata> = {}): CheckpointMetadata => ({ source: "loop", step: 0, runId: "run-1", ...over });

export function checkpointerConformance(b: BackendUnderTest): void {
  describe(`checkpointer conformance: ${b.name}`, () => {
    it("an empty store has no checkpoint, history or threads", async () => {
      const c = b.make();
      expect(await c.getTuple({ threadId: "t" })).toBeUndefined();
      expect(await c.list("t")).toEqual([]);
      expect(await c.threads()).toEqual([]);
    });

    it("a thread a run claims is running (runningThreads) until the claim is released; a second claim is ThreadBusy", async () => {
      const c = await b.make();
      await c.put(ckpt({ threadId: "t" }), meta());
      const claim = await c.claim!("t", () => undefined);
      expect([...(await c.runningThreads!())]).toEqual(["t"]);
      await expect(c.claim!("t", () => undefined)).rejects.toMatchObject({ code: "thread_busy" });
      await claim.release();
      expect([...(await c.runningThreads!())]).toEqual([]);
    });

    it("put then getTuple returns the checkpoint as stored: latest without an id, any one by id", async () => {
      const c = b.make();
      const c1 = ckpt({ threadId: "t", step: 0 });
      const c2 = ckpt({ threadId: "t", step: 1, parentId: c1.id });
      expect(await c.put(c1, meta({ source: "input" }))).toEqual({ threadId: "t", namespace: "", checkpointId: c1.id });
      await c.put(c2, meta({ step: 1, changed: ["n"] }));
      const latest = await c.getTuple({ threadId: "t" });
      expect(latest?.checkpoint).toEqual(c2);
      expect(latest?.config).toEqual({ threadId: "t", namespace: "", checkpointId: c2.id });
      expect(latest?.parentConfig).toEqual({ threadId: "t", namespace: "", checkpointId: c1.id });
      expect(latest?.metadata).toEqual(meta({ step: 1, changed: ["n"] }));
      expect(latest?.pendingWrites).toEqual([]);
      const first = await c.getTuple({ threadId: "t", checkpointId: c1.id });
      expect(first?.checkpoint).toEqual(c1);
      expect(first?.parentConfig).toBeUndefined();
      expect(first?.metadata.source).toBe("input");
      expect(await c.getTuple({ threadId: "t", checkpointId: "nope" })).toBeUndefined();
      expect(await c.getTuple({ threadId: "other" })).toBeUndefined();
    });

    it("a second checkpoint with the same id in a thread is refused with a CheckpointError", async () => {
      const c = b.make();
      const c1 = ckpt({ threadId: "t" });
      await c.put(c1, meta());
      await expect(c.put({ ...c1 }, meta())).rejects.toBeInstanceOf(CheckpointError);
      expect(await c.list("t")).toHaveLength(1);
    });

    it("list is newest first and honours limit, before and metadata filters", async () => {
      const c = b.make();
      const ids: string[] = [];
      for (let s = 0; s < 5; s++) {
        const k = ckpt({ threadId: "t", step: s });
        ids.push(k.id);
        await c.put(k, meta({ step: s, source: s === 0 ? "input" : s === 3 ? "update" : "loop" }));
      }
      await c.put(ckpt({ threadId: "other" }), meta());
      const all = await c.list("t");
      expect(all.map((x) => x.checkpoint.id)).toEqual([...ids].reverse());
      expect((await c.list("t", { limit: 2 })).map((x) => x.checkpoint.id)).toEqual([ids[4], ids[3]]);
      expect((await c.list("t", { before: ids[3] })).map((x) => x.checkpoint.id)).toEqual([ids[2], ids[1], ids[0]]);
      expect((await c.list("t", { before: ids[3], limit: 1 })).map((x) => x.checkpoint.id)).toEqual([ids[2]]);
      expect((await c.list("t", { filter: { source: "update" } })).map((x) => x.checkpoint.id)).toEqual([ids[3]]);
      expect((await c.list("t", { filter: { source: "loop" }, limit: 2 })).map((x) => x.checkpoint.id)).toEqual([ids[4], ids[2]]);
      expect(await c.list("t", { filter: { source: "fork" } })).toEqual([]);
    });

    it("namespaces are separate timelines of one thread", async () => {
      const c = b.make();
      const root = ckpt({ threadId: "t" });
      const child = ckpt({ threadId: "t", namespace: "2.0:child", graph: "child" });
      await c.put(root, meta());
      await c.put(child, meta());
      expect((await c.getTuple({ threadId: "t" }))?.checkpoint.id).toBe(root.id);
      expect((await c.getTuple({ threadId: "t", namespace: "2.0:child" }))?.checkpoint).toEqual(child);
      expect((await c.list("t")).map((x) => x.checkpoint.id)).toEqual([root.id]);
      expect((await c.list("t", { namespace: "2.0:child" })).map((x) => x.checkpoint.id)).toEqual([child.id]);
      const threads = await c.threads();
      expect(threads).toHaveLength(1);
      expect(threads[0]).toMatchObject({ threadId: "t", checkpoints: 1, graph: "g", latestId: root.id });
    });

    it("threads({threadId}) gives that thread's summary alone, as the full list has it; none for a thread with no root checkpoint", async () => {
      const c = b.make();
      const a1 = ckpt({ threadId: "a" });
      await c.put(a1, meta());
      await c.put(ckpt({ threadId: "a", parentId: a1.id, step: 1 }), meta({ step: 1 }));
      await c.put(ckpt({ threadId: "b" }), meta());
      await c.put(ckpt({ threadId: "only-child", namespace: "1.0:x", graph: "x" }), meta());
      const all = await c.threads();
      expect(await c.threads({ threadId: "a" })).toEqual(all.filter((t) => t.threadId === "a"));
      expect((await c.threads({ threadId: "a" }))[0]).toMatchObject({ threadId: "a", checkpoints: 2, step: 1 });
      expect(await c.threads({ threadId: "b" })).toEqual(all.filter((t) => t.threadId === "b"));
      expect(await c.threads({ threadId: "only-child" })).toEqual([]);
      expect(await c.threads({ threadId: "none" })).toEqual([]);
    });

    it("putWrites saves writes per task against one checkpoint; ordinary writes once, runtime records replaced", async () => {
      const c = b.make();
      const k1 = ckpt({ threadId: "t" });
      const k2 = ckpt({ threadId: "t", parentId: k1.id });
      await c.put(k1, meta());
      await c.put(k2, meta());
      const cfg = { threadId: "t", checkpointId: k2.id };
      await c.putWrites(cfg, [["out", "a"], ["out", { v: [1, 2] }], ["__task__", { ok: true, result: 1 }]], "2.0");
      await c.putWrites(cfg, [["out", "a"], ["out", { v: [1, 2] }], ["__task__", { ok: true, result: 1 }]], "2.0"); // repeated: nothing added
      await c.putWrites(cfg, [["__interrupt__", [{ id: "2.1#0" }]]], "2.1");
      await c.putWrites(cfg, [["__interrupt__", [{ id: "2.1#1" }]]], "2.1"); // replaces the record
      await c.putWrites(cfg, [["__resume__", { "2.1#0": "yes" }]], "__resume__");
      const t = await c.getTuple({ threadId: "t" });
      const byTask = (id: string) => t!.pendingWrites.filter((w) => w.taskId === id).map((w) => [w.channel, w.value]);
      expect(byTask("2.0").filter(([ch]) => ch === "out")).toEqual([["out", "a"], ["out", { v: [1, 2] }]]);
      expect(byTask("2.0").filter(([ch]) => ch === "__task__")).toEqual([["__task__", { ok: true, result: 1 }]]);
      expect(byTask("2.1")).toEqual([["__interrupt__", [{ id: "2.1#1" }]]]);
      expect(byTask("__resume__")).toEqual([["__resume__", { "2.1#0": "yes" }]]);
      expect(t!.pendingWrites).toHaveLength(5);
      expect((await c.getTuple({ threadId: "t", checkpointId: k1.id }))!.pendingWrites).toEqual([]);
      await expect(c.putWrites({ threadId: "t" }, [["x", 1]], "1.0")).rejects.toBeInstanceOf(CheckpointError);
    });

    it("a checkpoint's budget spend round-trips, each run's `__spend__` record is replaced, and spentAt adds them", async () => {
      const c = b.make();
      const k = ckpt({ threadId: "t", spend: { tokens: 900, usd: 0.5, nodes: { a: { tokens: 900, usd: 0.5 } } } });
      await c.put(k, meta());
      await c.putWrites({ threadId: "t", checkpointId: k.id }, [["__spend__", { tokens: 260, usd: 0, nodes: { a: { tokens: 260, usd: 0 } } }]], "spend:r1");
      await c.putWrites({ threadId: "t", checkpointId: k.id }, [["__spend__", { tokens: 300, usd: 0.1, nodes: { a: { tokens: 300, usd: 0.1 } } }]], "spend:r1");
      await c.putWrites({ threadId: "t", checkpointId: k.id }, [["__spend__", { tokens: 40, usd: 0 }]], "spend:r2");
      const reader = b.reopen ? await b.reopen(c) : c;
      const t = (await reader.getTuple({ threadId: "t" }))!;
      expect(t.checkpoint.spend).toEqual({ tokens: 900, usd: 0.5, nodes: { a: { tokens: 900, usd: 0.5 } } });
      expect(t.pendingWrites.filter((w) => w.channel === "__spend__")).toHaveLength(2);
      const s = spentAt(t);
      expect([s.tokens, s.usd.toFixed(2), s.nodes?.a]).toEqual([1240, "0.60", { tokens: 1200, usd: 0.6 }]);
      expect(threadStatus(t)).toBe("resumable");
    });

    it("pending interrupts and thread status derive from the checkpoint and its writes", async () => {
      const c = b.make();
      const done = ckpt({ threadId: "t", next: [] });
      await c.put(done, meta());
      expect(threadStatus((await c.getTuple({ threadId: "t" }))!)).toBe("completed");
      const before = ckpt({ threadId: "t", parentId: done.id, interrupts: [{ id: "before:3.0", kind: "before", node: "w", taskId: "3.0", namespace: "" }] });
      await c.put(before, meta());
      let t = (await c.getTuple({ threadId: "t" }))!;
      expect(threadStatus(t)).toBe("interrupted");
      expect(pendingInterrupts(t).map((i) => i.id)).toEqual(["before:3.0"]);
      await c.putWrites(t.config, [["__resume__", { "before:3.0": null }]], "__resume__");
      await c.putWrites(t.config, [["__interrupt__", [{ id: "3.0#0", kind: "node", node: "w", taskId: "3.0", namespace: "" }]]], "3.0");
      t = (await c.getTuple({ threadId: "t" }))!;
      expect(pendingInterrupts(t).map((i) => i.id)).toEqual(["3.0#0"]);
      await c.putWrites(t.config, [["__task__", { ok: true }]], "3.0");
      t = (await c.getTuple({ threadId: "t" }))!;
      expect(pendingInterrupts(t)).toEqual([]);
      expect(threadStatus(t)).toBe("resumable");
    });

    it("a status listing (pendingWrites: \"status\") gives every snapshot the status, questions, failure and spend the full listing gives", async () => {
      const c = b.make();
      const ask = (taskId: string) => [{ id: `${taskId}#0`, kind: "node", node: "w", taskId, namespace: "" }];
      let parentId: string | undefined;
      const put = async (records: [taskId: string, writes: [string, unknown][]][]) => {
        const k = ckpt({ threadId: "t", ...(parentId !== undefined ? { parentId } : {}) });
        const config = await c.put(k, meta());
        for (const [taskId, writes] of records) await c.putWrites(config, writes, taskId);
        parentId = k.id;
      };
      await put([["1.0", [["out", 1], ["__task__", { ok: true, ms: 3 }]]]]); // a completed task: nothing pending from it
      await put([["2.0", [["__interrupt__", ask("2.0")]]], ["2.1", [["out", 2], ["__task__", { ok: true }]]]]); // a question still open
      await put([["3.0", [["__interrupt__", ask("3.0")], ["__task__", { ok: true }]]], ["__resume__", [["__resume__", { "3.0#0": "yes" }]]]]); // answered and completed
      await put([["4.0", [["__error__", { message: "boom", code: "x" }]]], ["spend:r", [["__spend__", { tokens: 7, usd: 0.5 }]]]]); // failed, with spend
      await put([["5.0", [["__error__", { message: "boom", code: "x" }], ["__task__", { ok: true }]]]]); // failed, then completed on a retry
      const view = (s: StateSnapshot) => ({ id: s.checkpointId, status: s.status, interrupts: s.interrupts, error: s.error, spend: s.spend, next: s.next, metadata: s.metadata });
      const full = (await c.list("t")).map((t) => view(snapshot(t)));
      const status = (await c.list("t", { pendingWrites: "status" })).map((t) => view(snapshot(t)));
      expect(status).toEqual(full);
      expect((await c.list("t", { pendingWrites: "status", limit: 5 })).map((t) => view(snapshot(t)))).toEqual(full); // read per checkpoint
      expect(full.map((s) => s.status)).toEqual(["resumable", "failed", "resumable", "interrupted", "resumable"]);
      expect(full[1].spend).toMatchObject({ tokens: 7, usd: 0.5 });
      expect((await getStateHistory(c, "t")).map(view)).toEqual(full);
    });

    it("deleteThread removes every namespace of that thread only", async () => {
      const c = b.make();
      const a = ckpt({ threadId: "a" });
      await c.put(a, meta());
      await c.put(ckpt({ threadId: "a", namespace: "1.0:child" }), meta());
      await c.putWrites({ threadId: "a", checkpointId: a.id }, [["x", 1]], "1.0");
      await c.put(ckpt({ threadId: "b" }), meta());
      await c.deleteThread("a");
      expect(await c.getTuple({ threadId: "a" })).toBeUndefined();
      expect(await c.getTuple({ threadId: "a", namespace: "1.0:child" })).toBeUndefined();
      expect(await c.getTuple({ threadId: "b" })).toBeDefined();
      expect((await c.threads()).map((t) => t.threadId)).toEqual(["b"]);
      // the id is free again
      await c.put(a, meta());
      expect((await c.getTuple({ threadId: "a" }))!.pendingWrites).toEqual([]);
    });

    it("copyThread copies checkpoints (all namespaces) and writes; the source is unchanged; an existing target is refused", async () => {
      const c = b.make();
      const k1 = ckpt({ threadId: "src" });
      const k2 = ckpt({ threadId: "src", parentId: k1.id, step: 1 });
      await c.put(k1, meta({ source: "input" }));
      await c.put(k2, meta({ step: 1 }));
      await c.put(ckpt({ threadId: "src", namespace: "1.0:child" }), meta());
      await c.putWrites({ threadId: "src", checkpointId: k2.id }, [["out", 7], ["__task__", { ok: true }]], "2.0");
      await c.copyThread("src", "dst");
      const copied = await c.list("dst");
      expect(copied.map((x) => x.checkpoint.id)).toEqual([k2.id, k1.id]);
      expect(copied[0].checkpoint).toEqual({ ...k2, threadId: "dst" });
      expect(copied[0].config.threadId).toBe("dst");
      expect(copied[0].pendingWrites.map((w) => [w.taskId, w.channel, w.value])).toEqual(expect.arrayContaining([["2.0", "out", 7], ["2.0", "__task__", { ok: true }]]));
      expect(await c.list("dst", { namespace: "1.0:child" })).toHaveLength(1);
      expect((await c.list("src")).map((x) => x.checkpoint.threadId)).toEqual(["src", "src"]);
      await expect(c.copyThread("src", "dst")).rejects.toBeInstanceOf(CheckpointError);
    });

    it("prune keeps the newest N checkpoints per thread and namespace and drops the rest with their writes", async () => {
      const c = b.make();
      const ks = [];
      for (let s = 0; s < 4; s++) {
        const k = ckpt({ threadId: "t", step: s });
        ks.push(k);
        await c.put(k, meta({ step: s }));
        await c.putWrites({ threadId: "t", checkpointId: k.id }, [["x", s]], `${s + 1}.0`);
      }
      await c.put(ckpt({ threadId: "t", namespace: "1.0:child" }), meta());
      await c.put(ckpt({ threadId: "t", namespace: "1.0:child" }), meta());
      await c.put(ckpt({ threadId: "keep" }), meta());
      await c.put(ckpt({ threadId: "keep" }), meta());
      expect(await c.prune({ threads: ["t"], keepLast: 2 })).toBe(2);
      expect((await c.list("t")).map((x) => x.checkpoint.id)).toEqual([ks[3].id, ks[2].id]);
      expect((await c.list("t"))[1].pendingWrites.map((w) => w.value)).toEqual([2]);
      expect(await c.getTuple({ threadId: "t", checkpointId: ks[0].id })).toBeUndefined();
      expect(await c.list("t", { namespace: "1.0:child" })).toHaveLength(2);
      expect(await c.list("keep")).toHaveLength(2);
      expect(await c.prune()).toBe(3);
      expect(await c.list("t", { namespace: "1.0:child" })).toHaveLength(1);
      expect(await c.list("keep")).toHaveLength(1);
      expect(await c.list("t")).toHaveLength(1);
    });

    it("threads lists each thread once, most recently updated first, with its status", async () => {
      const c = b.make();
      await c.put(ckpt({ threadId: "old", next: [] }), meta());
      await c.put(ckpt({ threadId: "new", step: 0 }), meta());
      await c.put(ckpt({ threadId: "new", step: 3 }), meta({ step: 3 }));
      const ts = await c.threads();
      expect(ts.map((t) => [t.threadId, t.checkpoints, t.step, t.status])).toEqual([
        ["new", 2, 3, "resumable"],
        ["old", 1, 0, "completed"],
      ]);
      expect(typeof ts[0].updatedAt).toBe("number");
    });

    it("threads carries each thread's latest metadata and, when it waits, its questions", async () => {
      const c = b.make();
      const origin = { file: "flows/a.rag", graph: "g", config: null };
      await c.put(ckpt({ threadId: "done", next: [] }), meta({ origin }));
      const asked = ckpt({ threadId: "asks", step: 1 });
      await c.put(asked, meta({ step: 1, origin, forkedFrom: { threadId: "done", checkpointId: "x" } }));
      const question = { id: "2.0#0", kind: "node", node: "worker", taskId: "2.0", payload: { prompt: "ok?" }, namespace: "" };
      await c.putWrites({ threadId: "asks", checkpointId: asked.id }, [["__interrupt__", [question]]], "2.0");
      const ts = await c.threads();
      const of = (id: string) => ts.find((t) => t.threadId === id)!;
      expect(of("asks")).toMatchObject({ status: "interrupted", interrupts: [question], metadata: { source: "loop", step: 1, origin, forkedFrom: { threadId: "done", checkpointId: "x" } } });
      expect(of("done")).toMatchObject({ status: "completed", metadata: { origin } });
      expect(of("done").interrupts).toBeUndefined();
    });

    it("putBatch (when the backend has it) applies puts and writes in order, as the single calls would", async () => {
      const c = b.make();
      if (!c.putBatch) return;
      const k1 = ckpt({ threadId: "t" });
      const k2 = ckpt({ threadId: "t", parentId: k1.id, step: 1 });
      await c.putBatch([
        { kind: "put", checkpoint: k1, metadata: meta({ source: "input" }) },
        { kind: "writes", config: { threadId: "t", checkpointId: k1.id }, writes: [["out", 1], ["__task__", { ok: true }]], taskId: "1.0" },
        { kind: "writes", config: { threadId: "t", checkpointId: k1.id }, writes: [["__interrupt__", [{ id: "1.1#0" }]]], taskId: "1.1" },
        { kind: "writes", config: { threadId: "t", checkpointId: k1.id }, writes: [["__interrupt__", [{ id: "1.1#1" }]]], taskId: "1.1" },
        { kind: "put", checkpoint: k2, metadata: meta({ step: 1 }) },
      ]);
      expect((await c.list("t")).map((x) => x.checkpoint.id)).toEqual([k2.id, k1.id]);
      const w = (await c.getTuple({ threadId: "t", checkpointId: k1.id }))!.pendingWrites.map((x) => [x.taskId, x.channel, x.value]);
      expect(w).toEqual(expect.arrayContaining([["1.0", "out", 1], ["1.0", "__task__", { ok: true }], ["1.1", "__interrupt__", [{ id: "1.1#1" }]]]));
      expect(w).toHaveLength(3);
    });

    it("values by version: a list growing by appends, a list replaced, an unchanged and a scalar channel read back exactly at every checkpoint", async () => {
      const c = b.make();
      const expected: Record<string, unknown>[] = [];
      let out: readonly number[] = Object.freeze([]);
      let parentId: string | undefined;
      const fixed = Object.freeze({ a: Object.freeze([1, 2]) });
      for (let s = 0; s < 300; s++) {
        // `out` grows by one item per step (as the append reducer does: a new frozen array, the same items);
        // at step 150 it is replaced by a shorter list; `fixed` never changes (same version).
        out = Object.freeze(s === 150 ? [-1, -2] : [...out, s * 10]);
        const values = { out, fixed, n: s, empty: s % 2 ? null : "x" };
        const k = ckpt({ threadId: "t", step: s, values, versions: { out: s + 1, fixed: 1, n: s + 1, empty: s + 1 }, ...(parentId !== undefined ? { parentId } : {}) });
        await c.put(k, meta({ step: s }));
        parentId = k.id;
        expected.push(JSON.parse(JSON.stringify(values)) as Record<string, unknown>);
      }
      const history = await c.list("t");
      expect(history).toHaveLength(300);
      history.reverse().forEach((h, s) => expect(h.checkpoint.values, `step ${s}`).toEqual(expected[s]));
      const mid = history[77].checkpoint;
      expect((await c.getTuple({ threadId: "t", checkpointId: mid.id }))!.checkpoint.values).toEqual(expected[77]);
      expect((await c.getTuple({ threadId: "t" }))!.checkpoint.values).toEqual(expected[299]);
    });

    it("prune keeps every value the kept checkpoints need (append chains reach back to pruned steps)", async () => {
      const c = b.make();
      let out: readonly string[] = Object.freeze([]);
      let parentId: string | undefined;
      for (let s = 0; s < 130; s++) {
        out = Object.freeze([...out, `item ${s}`]);
        const k = ckpt({ threadId: "t", step: s, values: { out }, versions: { out: s + 1 }, ...(parentId !== undefined ? { parentId } : {}) });
        await c.put(k, meta({ step: s }));
        parentId = k.id;
      }
      expect(await c.prune({ keepLast: 2 })).toBe(128);
      const kept = await c.list("t");
      expect(kept.map((k) => (k.checkpoint.values.out as string[]).length)).toEqual([130, 129]);
      expect(kept[0].checkpoint.values.out).toEqual(Array.from({ length: 130 }, (_, i) => `item ${i}`));
      // The chain goes on after a prune.
      out = Object.freeze([...out, "after"]);
      await c.put(ckpt({ threadId: "t", step: 130, parentId, values: { out }, versions: { out: 131 } }), meta({ step: 130 }));
      expect(((await c.getTuple({ threadId: "t" }))!.checkpoint.values.out as string[]).slice(-2)).toEqual(["item 129", "after"]);
    });

    if (b.reopen) {
      it("checkpoints and writes survive closing and reopening the store", async () => {
        const c = b.make();
        const k = ckpt({ threadId: "t" });
        await c.put(k, meta({ source: "input" }));
        void c.putWrites({ threadId: "t", checkpointId: k.id }, [["out", 1], ["__task__", { ok: true }]], "1.0"); // not awaited: close flushes
        const again = await b.reopen!(c);
        const t = await again.getTuple({ threadId: "t" });
        expect(t?.checkpoint).toEqual(k);
        expect(t?.pendingWrites.map((w) => w.channel).sort()).toEqual(["__task__", "out"]);
        again.close?.();
      });
    }
  });
}
