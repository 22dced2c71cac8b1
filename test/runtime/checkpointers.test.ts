/**
 * Every checkpointer backend passes the one conformance suite (`runtime.md` §3): the
 * in-memory store and a real SQLite file.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FieldSpec } from "../../compiler/index.js";
import { CheckpointError, MemoryCheckpointer, REDUCERS, SqliteCheckpointer, type Checkpointer } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { checkpointerConformance, ckpt } from "./checkpointer-conformance.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const dir = scratchDir("rag-ckpt-");
let files = 0;

checkpointerConformance({ name: "memory", make: () => new MemoryCheckpointer() });

checkpointerConformance({
  name: "sqlite file",
  make: () => new SqliteCheckpointer(join(dir, `c${++files}`, "checkpoints.db")),
  reopen: (c: Checkpointer) => {
    const path = (c as SqliteCheckpointer).path;
    c.close?.();
    return new SqliteCheckpointer(path);
  },
});

describe("SQLite file specifics", () => {
  it("uses WAL mode, so a second connection reads while the first one holds the file", async () => {
    const path = join(dir, "wal.db");
    const w = new SqliteCheckpointer(path);
    expect(w.db.pragma("journal_mode", { simple: true })).toBe("wal");
    await w.put(ckpt({ threadId: "t" }), { source: "input", step: 0, runId: "r" });
    const r = new SqliteCheckpointer(path, { readonly: true });
    expect((await r.threads()).map((t) => t.threadId)).toEqual(["t"]);
    r.close();
    w.close();
  });

  it("pending writes of tasks completing in one tick share one flush (one transaction), and a put flushes them first", async () => {
    const c = new SqliteCheckpointer(join(dir, "batch.db"));
    const k = ckpt({ threadId: "t" });
    await c.put(k, { source: "input", step: 0, runId: "r" });
    const writes = Array.from({ length: 50 }, (_, i) => c.putWrites({ threadId: "t", checkpointId: k.id }, [["x", i], ["__task__", { ok: true }]], `1.${i}`));
    expect(new Set(writes).size).toBe(1); // one shared flush for the whole batch
    const rows = () => (c.db.prepare("SELECT COUNT(*) AS n FROM writes").get() as { n: number }).n;
    expect(rows()).toBe(0); // not yet written: batched until the next turn of the event loop
    await Promise.all(writes);
    expect(rows()).toBe(100);
    void c.putWrites({ threadId: "t", checkpointId: k.id }, [["x", 99]], "1.99");
    await c.put(ckpt({ threadId: "t", parentId: k.id }), { source: "loop", step: 1, runId: "r" });
    expect(rows()).toBe(101); // the put wrote the batched row in its transaction
    c.close();
  });

  it("an appended list is stored as deltas (bytes grow about linearly, not quadratically), and listing history never reads a value", async () => {
    const path = join(dir, "deltas.db");
    const c = new SqliteCheckpointer(path);
    let out: readonly number[] = Object.freeze([]);
    let parentId: string | undefined;
    const steps = 1000;
    for (let s = 0; s < steps; s++) {
      out = Object.freeze([...out, s]);
      const k = ckpt({ threadId: "t", step: s, values: { out }, versions: { out: s + 1 }, ...(parentId !== undefined ? { parentId } : {}) });
      await c.put(k, { source: "loop", step: s, runId: "r" });
      parentId = k.id;
    }
    const whole = JSON.stringify(out).length;
    const stored = (c.db.prepare("SELECT SUM(LENGTH(value)) AS n, SUM(kind = 'full') AS full FROM blobs").get() as { n: number; full: number });
    expect(stored.full).toBe(1); // one whole blob; every other step a delta
    expect(stored.n).toBeLessThan(6 * whole); // a whole list per step would be ~ steps / 2 × whole
    // Blobs gone: history, status and next still list (they never read a value); reading one fails clearly.
    c.db.exec("DELETE FROM blobs");
    const history = await c.list("t");
    expect(history).toHaveLength(steps);
    expect(history[0].checkpoint.step).toBe(steps - 1);
    expect(() => history[0].checkpoint.values).toThrow(CheckpointError);
    c.close();
  });

  it("rows of older files (values inline, every field in the JSON) are read as they are", async () => {
    const path = join(dir, "schema1.db");
    const c = new SqliteCheckpointer(path);
    const old = ckpt({ threadId: "t" });
    const { threadId: _t, namespace: _n, ...inline } = old;
    c.db.prepare("INSERT INTO checkpoints (thread_id, ns, id, parent_id, step, source, graph, hash, created_at, checkpoint, metadata) VALUES (?, '', ?, NULL, ?, 'input', ?, ?, ?, ?, ?)").run("t", old.id, old.step, old.graph, old.blueprintHash, old.ts, JSON.stringify(inline), JSON.stringify({ source: "input", step: 0, runId: "r" }));
    const t = await c.getTuple({ threadId: "t" });
    expect(t?.checkpoint).toEqual(old);
    expect(t?.metadata).toEqual({ source: "input", step: 0, runId: "r" });
    // A new checkpoint on top of it is stored the new way and reads back.
    const next = ckpt({ threadId: "t", parentId: old.id, step: 1 });
    await c.put(next, { source: "loop", step: 1, runId: "r" });
    expect((await c.getTuple({ threadId: "t" }))?.checkpoint).toEqual(next);
    c.close();
  });

  it("an unreadable database path is a CheckpointError naming the path", () => {
    expect(() => new SqliteCheckpointer(join(dir, "missing", "x.db"), { readonly: true })).toThrow(CheckpointError);
    expect(() => new SqliteCheckpointer(join(dir, "missing", "x.db"), { readonly: true })).toThrow(/missing\/x\.db/);
  });
});

describe("in-memory specifics", () => {
  /** Items held by the store's blobs (what a long thread keeps in memory). */
  const heldItems = (c: MemoryCheckpointer): number => {
    let n = 0;
    const threads = (c as unknown as { threadsById: Map<string, Map<string, { blobs: Map<string, { value: unknown }> }>> }).threadsById;
    for (const nss of threads.values()) for (const tl of nss.values()) for (const b of tl.blobs.values()) n += Array.isArray(b.value) ? b.value.length : 1;
    return n;
  };

  it("an appended list is stored as deltas: memory grows about linearly with the steps, and every checkpoint still reads its own list", async () => {
    const c = new MemoryCheckpointer();
    let out: readonly number[] = Object.freeze([]);
    let parentId: string | undefined;
    const steps = 2000;
    const ids: string[] = [];
    for (let s = 0; s < steps; s++) {
      out = Object.freeze([...out, s]);
      const k = ckpt({ threadId: "t", step: s, values: { out, n: s }, versions: { out: s + 1, n: s + 1 }, ...(parentId !== undefined ? { parentId } : {}) });
      await c.put(k, { source: "loop", step: s, runId: "r" });
      ids.push(k.id);
      parentId = k.id;
    }
    // A whole list per checkpoint would hold steps² / 2 = 2,000,000 items.
    expect(heldItems(c)).toBeLessThan(6 * steps);
    const latest = await c.getTuple({ threadId: "t" });
    expect(latest?.checkpoint.values.out).toBe(out); // the latest reads back by reference
    for (const s of [0, 1, 63, 64, 65, 1000, 1999]) {
      const t = await c.getTuple({ threadId: "t", checkpointId: ids[s] });
      expect(t?.checkpoint.values).toEqual({ out: Array.from({ length: s + 1 }, (_, i) => i), n: s });
      expect(Object.isFrozen(t?.checkpoint.values.out)).toBe(true);
    }
  });

  it("prune drops the blobs no kept checkpoint reaches, and the kept ones still read", async () => {
    const c = new MemoryCheckpointer();
    let out: readonly number[] = Object.freeze([]);
    let parentId: string | undefined;
    for (let s = 0; s < 300; s++) {
      out = Object.freeze([...out, s]);
      const k = ckpt({ threadId: "t", step: s, values: { out }, versions: { out: s + 1 }, ...(parentId !== undefined ? { parentId } : {}) });
      await c.put(k, { source: "loop", step: s, runId: "r" });
      parentId = k.id;
    }
    const before = heldItems(c);
    expect(await c.prune({ keepLast: 2 })).toBe(298);
    expect(heldItems(c)).toBeLessThan(before);
    const kept = await c.list("t");
    expect(kept.map((t) => (t.checkpoint.values.out as number[]).length)).toEqual([300, 299]);
  });
});

describe("append-like reducers and delta storage", () => {
  const SPAN = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
  const apply = (name: "append" | "messages", current: unknown, value: unknown) => {
    const field = { name: "ch", type: { type: "any" }, reducer: { name, args: [] }, span: SPAN } as unknown as FieldSpec;
    return REDUCERS[name].apply(current ?? REDUCERS[name].initial(field), [{ value, taskId: "1.0", node: "n" }], { field, registry: standardRegistry(), graph: "g", step: 1 });
  };

  it("a list the reducers grew is stored as a tail, one whose message was replaced in place is stored whole, and both read back", async () => {
    const c = new SqliteCheckpointer(join(dir, "lineage.db"));
    let msgs = apply("messages", undefined, [{ id: "a", role: "user", content: "one" }]);
    let list = apply("append", undefined, 1);
    let parentId: string | undefined;
    const states: [unknown, unknown][] = [];
    const steps: [string, unknown][] = [["messages", { id: "b", role: "assistant", content: "two" }], ["append", 2], ["messages", { id: "a", role: "user", content: "ONE" }], ["append", [3, 4]]];
    for (const [s, [reducer, value]] of [["init", null] as const, ...steps].entries()) {
      if (s > 0) {
        if (reducer === "messages") msgs = apply("messages", msgs, value);
        else list = apply("append", list, value);
      }
      const k = ckpt({ threadId: "t", step: s, values: { msgs, list }, versions: { msgs: s + 1, list: s + 1 }, ...(parentId !== undefined ? { parentId } : {}) });
      await c.put(k, { source: "loop", step: s, runId: "r" });
      states.push([msgs, list]);
      parentId = k.id;
    }
    const kinds = (c.db.prepare("SELECT b.channel, b.kind FROM blobs b JOIN checkpoints k ON k.thread_id = b.thread_id AND k.ns = b.ns AND k.id = b.checkpoint_id ORDER BY k.seq").all() as { channel: string; kind: string }[]).map((b) => `${b.channel}:${b.kind}`);
    expect(kinds.filter((k) => k.startsWith("msgs"))).toEqual(["msgs:full", "msgs:append", "msgs:full"]); // unchanged steps store nothing
    expect(kinds.filter((k) => k.startsWith("list"))).toEqual(["list:full", "list:append", "list:append"]);
    c.close();
    const r = new SqliteCheckpointer(join(dir, "lineage.db"), { readonly: true });
    const history = (await r.list("t")).reverse();
    expect(history.map((h) => [h.checkpoint.values.msgs, h.checkpoint.values.list])).toEqual(states);
    r.close();
  });

  it("two lists appended to one base (a fork) are never taken for appends of each other", async () => {
    const c = new SqliteCheckpointer(join(dir, "fork-lineage.db"));
    const base = apply("append", undefined, [1, 2]);
    const a = apply("append", base, "a");
    const b = apply("append", apply("append", base, "b"), "c");
    const k1 = ckpt({ threadId: "t", values: { list: a }, versions: { list: 1 } });
    const k2 = ckpt({ threadId: "t", parentId: k1.id, values: { list: b }, versions: { list: 2 } });
    await c.put(k1, { source: "loop", step: 0, runId: "r" });
    await c.put(k2, { source: "loop", step: 1, runId: "r" });
    expect((await c.getTuple({ threadId: "t" }))?.checkpoint.values.list).toEqual([1, 2, "b", "c"]);
    c.close();
    const r = new SqliteCheckpointer(join(dir, "fork-lineage.db"), { readonly: true });
    expect((await r.getTuple({ threadId: "t" }))?.checkpoint.values.list).toEqual([1, 2, "b", "c"]);
    r.close();
  });
});
