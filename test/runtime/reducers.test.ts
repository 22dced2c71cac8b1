/**
 * Channel reducers (`language.md` §2.2, `runtime.md` §1 step 5): unit semantics of every
 * built-in reducer, property tests over random writes, and the same reducers observed
 * through real runs (topic/ephemeral reset, aggregate with a registered function,
 * barrier channels, merge of parallel writes).
 */
import fc from "fast-check";
import { freeze } from "immer";
import { describe, expect, it } from "vitest";
import type { FieldSpec, Json, ReducerName, TypeSpec } from "../../compiler/index.js";
import { Registry } from "../../registry/index.js";
import { BindError, InvalidConcurrentUpdateError, InvalidUpdateError, REDUCERS, type Write } from "../../runtime/index.js";
import { canonicalJson } from "../../compiler/index.js";
import { buildGraph, registerProbe, runGraph } from "../helpers/run-graph.js";
import { standardRegistry } from "../../stdlib/index.js";

const SPAN = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };

function field(name: string, reducer: ReducerName, opts: { type?: TypeSpec; default?: Json; fn?: string; args?: Json[] } = {}): FieldSpec {
  return {
    name,
    type: opts.type ?? { type: "any" },
    reducer: { name: reducer, args: opts.args ?? [], ...(opts.fn !== undefined ? { fn: opts.fn } : {}) },
    ...(opts.default !== undefined ? { default: opts.default } : {}),
    span: SPAN,
  };
}

/** Applies `values` as writes of the given tasks (one task per value unless `taskIds` says otherwise). */
function apply(reducer: ReducerName, current: unknown, values: readonly unknown[], opts: { field?: FieldSpec; registry?: Registry; taskIds?: readonly string[]; nodes?: readonly string[] } = {}): unknown {
  const f = opts.field ?? field("ch", reducer);
  const writes: Write[] = values.map((value, i) => ({ value, taskId: opts.taskIds?.[i] ?? `2.${i}`, node: opts.nodes?.[i] ?? `n${i}` }));
  return REDUCERS[reducer].apply(current, writes, { field: f, registry: opts.registry ?? new Registry(), graph: "g", step: 1 });
}

/** A JSON-ish value that is not an array (so `append` treats it as one item). */
const scalar = fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.boolean(), fc.constant(null), fc.record({ k: fc.integer({ min: 0, max: 3 }) }));
/** One write: a single item or a list of items. */
const writeValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }));
const flatten = (ws: readonly unknown[]) => ws.flatMap((w) => (Array.isArray(w) ? w : [w]));

const message = fc.record({
  id: fc.constantFrom("m1", "m2", "m3", "m4", "m5"),
  role: fc.constantFrom("user", "assistant", "system", "tool"),
  content: fc.string({ maxLength: 6 }),
});

describe("overwrite", () => {
  it("keeps the last write of a single task, and the current value without writes", () => {
    expect(apply("overwrite", 1, [2, 3], { taskIds: ["2.0", "2.0"] })).toBe(3);
    const cur = { a: 1 };
    expect(apply("overwrite", cur, [])).toBe(cur);
  });

  it("rejects writes of two tasks in one superstep, naming both tasks and nodes", () => {
    let err: unknown;
    try {
      apply("overwrite", 0, [1, 2], { taskIds: ["2.0", "2.1"], nodes: ["left", "right"], field: field("total", "overwrite") });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidConcurrentUpdateError);
    const e = err as InvalidConcurrentUpdateError;
    expect(e.code).toBe("invalid_concurrent_update");
    expect(e.channel).toBe("total");
    expect(e.tasks).toEqual(["left (2.0)", "right (2.1)"]);
    expect(e.message).toContain("left (2.0)");
    expect(e.message).toContain("right (2.1)");
  });

  it("initial value is the field default, else null", () => {
    expect(REDUCERS.overwrite.initial(field("x", "overwrite", { default: 7 }))).toBe(7);
    expect(REDUCERS.overwrite.initial(field("x", "overwrite"))).toBeNull();
  });
});

describe("append", () => {
  it("adds one item per scalar write and every item of a list write", () => {
    expect(apply("append", ["a"], ["b", ["c", "d"], [], "e"])).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("appends an object write as one item", () => {
    expect(apply("append", [], [{ x: 1 }, [{ y: 2 }]])).toEqual([{ x: 1 }, { y: 2 }]);
  });

  it("returns the current list (same reference) when there are no writes", () => {
    const cur = ["a"];
    expect(apply("append", cur, [])).toBe(cur);
  });

  it("property: the result is the current list followed by the concatenation of the writes", () => {
    fc.assert(
      fc.property(fc.array(scalar, { maxLength: 5 }), fc.array(writeValue, { maxLength: 6 }), (current, writes) => {
        expect(apply("append", current, writes)).toEqual([...current, ...flatten(writes)]);
      }),
    );
  });

  it("property: applying writes in two supersteps equals applying them in one", () => {
    fc.assert(
      fc.property(fc.array(writeValue, { maxLength: 6 }), fc.array(writeValue, { maxLength: 6 }), (w1, w2) => {
        const twoSteps = apply("append", apply("append", [], w1), w2);
        expect(twoSteps).toEqual(apply("append", [], [...w1, ...w2]));
      }),
    );
  });
});

describe("messages", () => {
  it("updates a message with a known id in place and appends new ones, keeping order", () => {
    const cur = [
      { id: "a", role: "user", content: "hi" },
      { id: "b", role: "assistant", content: "draft" },
      { id: "c", role: "user", content: "more" },
    ];
    const out = apply("messages", cur, [[{ id: "b", role: "assistant", content: "final" }, { id: "d", role: "assistant", content: "new" }], { id: "a", role: "user", content: "hi!" }]);
    expect(out).toEqual([
      { id: "a", role: "user", content: "hi!" },
      { id: "b", role: "assistant", content: "final" },
      { id: "c", role: "user", content: "more" },
      { id: "d", role: "assistant", content: "new" },
    ]);
  });

  it("a message written twice in one superstep keeps its first position and its last content", () => {
    const out = apply("messages", [], [{ id: "x", role: "user", content: "1" }, { id: "y", role: "user", content: "2" }, { id: "x", role: "user", content: "3" }]);
    expect(out).toEqual([
      { id: "x", role: "user", content: "3" },
      { id: "y", role: "user", content: "2" },
    ]);
  });

  it("gives a message without an id an id and appends it", () => {
    const out = apply("messages", [{ id: "a", role: "user", content: "q" }], [{ role: "assistant", content: "r" }]) as { id: string; content: string }[];
    expect(out).toHaveLength(2);
    expect(out[1].content).toBe("r");
    expect(typeof out[1].id).toBe("string");
    expect(out[1].id).not.toBe("a");
  });

  it("a message without an id never replaces an existing message (even one whose id looks generated)", () => {
    const cur = [{ id: "msg-1", role: "user", content: "keep me" }];
    const out = apply("messages", cur, [{ role: "assistant", content: "new" }]) as { id: string; content: string }[];
    expect(out.map((m) => m.content)).toEqual(["keep me", "new"]);
    expect(new Set(out.map((m) => m.id)).size).toBe(2);
  });

  it("rejects a write that is not a message object", () => {
    expect(() => apply("messages", [], ["just text"], { field: field("messages", "messages") })).toThrow(InvalidUpdateError);
  });

  it("refuses a message with an own `__proto__` key (JSON.parse keeps one): the stored copy's prototype stays Object's", () => {
    const hostile = JSON.parse('{"role":"user","content":"x","__proto__":{"polluted":true}}') as object;
    expect(() => apply("messages", [], [hostile], { field: field("messages", "messages") })).toThrow(/`__proto__` key/);
    expect(() => apply("messages", [], [[{ role: "user", content: "ok" }, hostile]], { field: field("messages", "messages") })).toThrow(InvalidUpdateError);
  });

  it("property: re-applying the same messages is idempotent", () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 6 }), fc.array(fc.array(message, { maxLength: 4 }), { maxLength: 4 }), (current0, writes) => {
        const current = apply("messages", [], [current0]);
        const once = apply("messages", current, writes);
        const twice = apply("messages", once, writes);
        expect(twice).toEqual(once);
      }),
    );
  });

  it("property: ids stay unique, every written id is present with its last content, and old order is kept", () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 6 }), fc.array(fc.array(message, { maxLength: 4 }), { maxLength: 4 }), (current0, writes) => {
        const current = apply("messages", [], [current0]) as { id: string }[];
        const out = apply("messages", current, writes) as { id: string; content: string }[];
        const ids = out.map((m) => m.id);
        expect(new Set(ids).size).toBe(ids.length);
        // previous messages keep their relative order at the front
        expect(ids.slice(0, current.length)).toEqual(current.map((m) => m.id));
        const last = new Map<string, string>();
        for (const m of flatten(writes) as { id: string; content: string }[]) last.set(m.id, m.content);
        for (const [id, content] of last) expect(out.find((m) => m.id === id)?.content).toBe(content);
      }),
    );
  });
});

describe("messages: history-independent results", () => {
  const idless = fc.record({ role: fc.constantFrom("user", "assistant"), content: fc.string({ maxLength: 4 }) });
  const write = fc.oneof(message, idless, fc.array(fc.oneof(message, idless), { maxLength: 3 }));
  const steps = fc.array(fc.array(write, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 });

  it("property: a list's result depends only on its content, not on what was applied before (forks, time travel)", () => {
    fc.assert(
      fc.property(steps, steps, fc.nat(4), (history, branch, forkAt) => {
        // Build a lineage, then write again to an older list of it (a fork), and compare with a fresh copy of that list.
        const lists: unknown[] = [[]];
        for (const ws of history) lists.push(apply("messages", lists.at(-1), ws));
        const older = lists[Math.min(forkAt, lists.length - 1)];
        let forked = older;
        let fresh: unknown = structuredClone(older);
        for (const ws of branch) {
          forked = apply("messages", forked, ws);
          fresh = apply("messages", fresh, ws);
        }
        expect(forked).toEqual(fresh);
        const ids = (forked as { id: string }[]).map((m) => m.id);
        expect(new Set(ids).size).toBe(ids.length);
        // The fork's writes may have moved shared hints; the original tip must not notice.
        let tip = lists.at(-1);
        let tipFresh: unknown = structuredClone(tip);
        for (const ws of branch) {
          tip = apply("messages", tip, ws);
          tipFresh = apply("messages", tipFresh, ws);
        }
        expect(tip).toEqual(tipFresh);
      }),
      { numRuns: 300 },
    );
  });
});

describe("merge", () => {
  it("shallow-merges object writes in order (later keys win, nested objects are replaced, not merged)", () => {
    const out = apply("merge", { a: 1, nested: { x: 1, y: 1 } }, [{ b: 2, nested: { x: 2 } }, { a: 3 }]);
    expect(out).toEqual({ a: 3, b: 2, nested: { x: 2 } });
  });

  it("rejects a non-object write with InvalidUpdateError naming the channel and node", () => {
    let err: unknown;
    try {
      apply("merge", {}, [[1, 2]], { field: field("meta", "merge"), nodes: ["writer"] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidUpdateError);
    expect((err as InvalidUpdateError).channel).toBe("meta");
    expect((err as Error).message).toContain("writer");
  });

  it("property: the result has the keys of the current value and of every write, with the last write winning", () => {
    const obj = fc.dictionary(fc.constantFrom("a", "b", "c", "d"), fc.integer(), { maxKeys: 4 });
    fc.assert(
      fc.property(obj, fc.array(obj, { maxLength: 5 }), (current, writes) => {
        expect(apply("merge", current, writes)).toEqual(Object.assign({}, current, ...writes));
      }),
    );
  });
});

describe("sum / min / max", () => {
  it("sum adds every write to the current value", () => {
    expect(apply("sum", 10, [1, 2, -3])).toBe(10);
    expect(apply("sum", 10, [5])).toBe(15);
  });

  it("min and max fold the writes and the current value; null current is ignored", () => {
    expect(apply("min", 5, [7, 3, 9])).toBe(3);
    expect(apply("min", null, [7, 9])).toBe(7);
    expect(apply("max", 5, [1, 2])).toBe(5);
    expect(apply("max", null, [-4, -2])).toBe(-2);
  });

  it("reject non-numbers", () => {
    for (const r of ["sum", "min", "max"] as const) expect(() => apply(r, 0, ["3"])).toThrow(InvalidUpdateError);
  });

  it("property: sum equals the arithmetic sum", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e6 }), fc.array(fc.integer({ min: -1e6, max: 1e6 }), { maxLength: 10 }), (cur, ws) => {
        expect(apply("sum", cur, ws)).toBe(ws.reduce((a, b) => a + b, cur));
      }),
    );
  });

  it("property: min/max equal Math.min/Math.max over current and writes", () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer(), { minLength: 1, maxLength: 10 }), (cur, ws) => {
        expect(apply("min", cur, ws)).toBe(Math.min(cur, ...ws));
        expect(apply("max", cur, ws)).toBe(Math.max(cur, ...ws));
      }),
    );
  });
});

describe("union", () => {
  it("appends unseen values in first-seen order, by structural equality", () => {
    expect(apply("union", ["a"], [["b", "a"], "c", ["b", { k: 1 }], { k: 1 }])).toEqual(["a", "b", "c", { k: 1 }]);
  });

  it("property: never duplicates and equals the first-seen order of current ++ writes", () => {
    fc.assert(
      fc.property(fc.array(writeValue, { maxLength: 6 }), fc.array(writeValue, { maxLength: 6 }), (w0, ws) => {
        const current = apply("union", [], w0) as unknown[];
        const out = apply("union", current, ws) as unknown[];
        const keys = out.map((v) => canonicalJson(v));
        expect(new Set(keys).size).toBe(keys.length);
        const expected: unknown[] = [];
        const seen = new Set<string>();
        for (const v of [...current, ...flatten(ws)]) {
          const k = canonicalJson(v);
          if (!seen.has(k)) {
            seen.add(k);
            expected.push(v);
          }
        }
        expect(out).toEqual(expected);
      }),
    );
  });
});

describe("topic / ephemeral (unit)", () => {
  it("topic holds the values written in the last superstep (not accumulated) and is transient", () => {
    expect(REDUCERS.topic.transient).toBe(true);
    expect(apply("topic", ["old"], ["a", ["b", "c"]])).toEqual(["a", "b", "c"]);
    expect(REDUCERS.topic.initial(field("t", "topic"))).toEqual([]);
  });

  it("ephemeral holds the last value written and is transient", () => {
    expect(REDUCERS.ephemeral.transient).toBe(true);
    expect(apply("ephemeral", "old", ["a", "b"], { taskIds: ["2.0", "2.0"] })).toBe("b");
    expect(REDUCERS.ephemeral.initial(field("e", "ephemeral"))).toBeNull();
  });
});

describe("barrier / named_barrier (unit)", () => {
  it("barrier counts arrivals across supersteps", () => {
    expect(apply("barrier", 0, [1, 1])).toBe(2);
    expect(apply("barrier", 2, ["x"])).toBe(3);
  });

  it("named_barrier records the names written, once each, in arrival order", () => {
    expect(apply("named_barrier", [], ["b", "a", "b"])).toEqual(["b", "a"]);
    expect(apply("named_barrier", ["b", "a"], ["c", "a"])).toEqual(["b", "a", "c"]);
  });
});

describe("aggregate (unit)", () => {
  it("folds each write with the registered function, in write order", () => {
    const registry = new Registry();
    registry.reducers.set("concat", (cur, upd) => `${cur ?? ""}${String(upd)}`);
    const f = field("agg", "aggregate", { fn: "concat" });
    expect(apply("aggregate", null, ["a", "b", "c"], { field: f, registry })).toBe("abc");
    expect(apply("aggregate", "x", [], { field: f, registry })).toBe("x");
  });

  it("an unregistered function is a BindError", () => {
    const f = field("agg", "aggregate", { fn: "nope" });
    expect(() => apply("aggregate", null, [1], { field: f })).toThrow(BindError);
  });
});

describe("reducers never mutate their inputs", () => {
  const registry = new Registry();
  registry.reducers.set("pairs", (cur, upd) => [...(Array.isArray(cur) ? cur : []), upd]);
  const cases: { reducer: ReducerName; current: fc.Arbitrary<unknown>; write: fc.Arbitrary<unknown>; fn?: string }[] = [
    { reducer: "overwrite", current: writeValue, write: writeValue },
    { reducer: "append", current: fc.array(scalar, { maxLength: 4 }), write: writeValue },
    { reducer: "messages", current: fc.array(message, { maxLength: 4 }).map((ms) => apply("messages", [], [ms])), write: fc.oneof(message, fc.array(message, { maxLength: 3 })) },
    { reducer: "merge", current: fc.dictionary(fc.constantFrom("a", "b"), writeValue), write: fc.dictionary(fc.constantFrom("a", "b", "c"), writeValue) },
    { reducer: "sum", current: fc.integer(), write: fc.integer() },
    { reducer: "min", current: fc.integer(), write: fc.integer() },
    { reducer: "max", current: fc.integer(), write: fc.integer() },
    { reducer: "union", current: fc.array(scalar, { maxLength: 4 }), write: writeValue },
    { reducer: "topic", current: fc.array(scalar, { maxLength: 4 }), write: writeValue },
    { reducer: "ephemeral", current: writeValue, write: writeValue },
    { reducer: "barrier", current: fc.nat(5), write: fc.integer() },
    { reducer: "named_barrier", current: fc.array(fc.string({ maxLength: 3 }), { maxLength: 4 }), write: fc.string({ maxLength: 3 }) },
    { reducer: "aggregate", current: fc.array(scalar, { maxLength: 3 }), write: writeValue, fn: "pairs" },
  ];
  for (const c of cases) {
    it(`${c.reducer}: deep-frozen current and writes are accepted and left unchanged`, () => {
      fc.assert(
        fc.property(c.current, fc.array(c.write, { minLength: 1, maxLength: 4 }), (current, writes) => {
          const before = structuredClone({ current, writes });
          const frozenCurrent = freeze(structuredClone(current), true);
          const frozenWrites = freeze(structuredClone(writes), true);
          // one task, so that overwrite/ephemeral do not see a concurrent update
          apply(c.reducer, frozenCurrent, frozenWrites, { field: field("ch", c.reducer, c.fn ? { fn: c.fn } : {}), registry, taskIds: writes.map(() => "2.0") });
          expect({ current: frozenCurrent, writes: frozenWrites }).toEqual(before);
        }),
        { numRuns: 50 },
      );
    });
  }
});

describe("reducers observed through runs", () => {
  it("topic and ephemeral values are visible in the next superstep and reset after a superstep without writes", async () => {
    const src = `graph g {
      start a
      state {
        t: list<string> topic
        e: string ephemeral
        seen_b_t: list<string>
        seen_b_e: string?
        seen_c_t: list<string>
        seen_c_e: string?
      }
      node a { kind set set { t: ["x", "y"], e: "hello" } next b }
      node b { kind set set { seen_b_t: state.t, seen_b_e: state.e } next c }
      node c { kind set set { seen_c_t: state.t, seen_c_e: state.e } next END }
    }`;
    const r = await runGraph(src);
    expect(r.state.seen_b_t).toEqual(["x", "y"]);
    expect(r.state.seen_b_e).toBe("hello");
    expect(r.state.seen_c_t).toEqual([]);
    expect(r.state.seen_c_e).toBeNull();
    expect(r.state.t).toEqual([]);
    expect(r.state.e).toBeNull();
  });

  it("a topic written in consecutive supersteps holds only the latest superstep's values", async () => {
    const src = `graph g {
      start a
      state { t: list<string> topic  seen: list<string> }
      node a { kind set set { t: "one" } next b }
      node b { kind set set { t: ["two", "three"] } next c }
      node c { kind set set { seen: state.t } next END }
    }`;
    const r = await runGraph(src);
    expect(r.state.seen).toEqual(["two", "three"]);
  });

  it("a topic collects the writes of parallel tasks in task order", async () => {
    const src = `graph g {
      start s
      state { t: list<string> topic  seen: list<string> }
      node s { kind set next [a, b, c] }
      node a { kind set set { t: "a" } next d }
      node b { kind set set { t: ["b1", "b2"] } next d }
      node c { kind set set { t: "c" } next d }
      node d { kind set set { seen: state.t } next END }
    }`;
    const r = await runGraph(src);
    expect(r.state.seen).toEqual(["a", "b1", "b2", "c"]);
  });

  it("aggregate folds the writes of parallel tasks with the registered function, in task order", async () => {
    const registry = standardRegistry();
    const calls: [unknown, unknown][] = [];
    registry.reducers.set("path", (cur, upd) => {
      calls.push([cur, upd]);
      return `${cur as string}/${upd as string}`;
    });
    const src = `graph g {
      start s
      state { p: string aggregate "path" = "root" }
      node s { kind set next [a, b, c] }
      node a { kind set set { p: "a" } }
      node b { kind set set { p: "b" } }
      node c { kind set set { p: "c" } }
    }`;
    const r = await runGraph(src, {}, { registry });
    expect(r.state.p).toBe("root/a/b/c");
    expect(calls).toEqual([
      ["root", "a"],
      ["root/a", "b"],
      ["root/a/b", "c"],
    ]);
  });

  it("sum, min, max, union and merge fold the writes of parallel tasks without a concurrent-update error", async () => {
    const src = `graph g {
      start s
      state {
        total: number sum
        lo: number? min
        hi: number? max
        tags: list<string> union
        meta: map<number> merge
      }
      node s { kind set next [a, b, c] }
      node a { kind set set { total: 1, lo: 5, hi: 5, tags: ["x", "y"], meta: { a: 1, shared: 1 } } }
      node b { kind set set { total: 10, lo: -2, hi: 3, tags: "y", meta: { b: 2, shared: 2 } } }
      node c { kind set set { total: 100, lo: 4, hi: 9, tags: ["z", "x"], meta: { shared: 3 } } }
    }`;
    const r = await runGraph(src);
    expect(r.state.total).toBe(111);
    expect(r.state.lo).toBe(-2);
    expect(r.state.hi).toBe(9);
    expect(r.state.tags).toEqual(["x", "y", "z"]);
    expect(r.state.meta).toEqual({ a: 1, shared: 3, b: 2 });
  });

  it("messages written by parallel tasks merge by id in task order", async () => {
    const registry = standardRegistry();
    registerProbe(registry, "say", async (task) => ({
      writes: [["messages", task.node.name === "b" ? [{ id: "shared", role: "assistant", content: "from b" }, { id: "b1", role: "assistant", content: "b" }] : [{ id: "shared", role: "assistant", content: `from ${task.node.name}` }]]],
    }));
    const src = `graph g {
      start s
      state { messages: messages }
      node s { kind set next [a, b, c] }
      node a { kind say }
      node b { kind say }
      node c { kind say }
    }`;
    const r = await runGraph(src, { messages: [{ id: "first", role: "user", content: "q" }] }, { registry });
    expect(r.state.messages).toEqual([
      { id: "first", role: "user", content: "q" },
      { id: "shared", role: "assistant", content: "from c" },
      { id: "b1", role: "assistant", content: "b" },
    ]);
  });

  it("barrier and named_barrier channels count and name arrivals across supersteps", async () => {
    const src = `graph g {
      start s
      state { arrivals: number barrier 3  names: string named_barrier }
      node s { kind set next [a, b] }
      node a { kind set set { arrivals: 1, names: "a" } next c }
      node b { kind set set { arrivals: 1, names: "b" } next c }
      node c { kind set set { arrivals: 1, names: "a" } next END }
    }`;
    const r = await runGraph(src);
    expect(r.state.arrivals).toBe(3);
    expect(r.state.names).toEqual(["a", "b"]);
  });

  it("a channel default is its initial value and the run input is written through the reducer", async () => {
    const src = `graph g {
      start a
      state { items: list<string> append = ["seed"]  n: number sum = 5 }
      node a { kind set set { items: "x", n: 2 } next END }
    }`;
    const { graph } = buildGraph(src);
    const r = await graph.invoke({ items: ["in1", "in2"], n: 1 });
    expect(r.state.items).toEqual(["seed", "in1", "in2", "x"]);
    expect(r.state.n).toBe(8);
  });
});

describe("snapshots are deeply frozen", () => {
  it("freezes plain objects and arrays at any depth, stops at frozen values, and leaves class instances alone", async () => {
    const { deepFreeze } = await import("../../runtime/state.js");
    const date = new Date(0);
    const bytes = new Uint8Array([1, 2]);
    const shared = Object.freeze({ inner: { n: 1 } });
    const v = deepFreeze({ list: [{ a: { b: [1] } }], map: new Map([["k", { x: 1 }]]), date, bytes, shared, nil: null, proto: Object.create(null) as object });
    expect(Object.isFrozen(v) && Object.isFrozen(v.list) && Object.isFrozen(v.list[0].a.b) && Object.isFrozen(v.proto)).toBe(true);
    expect(() => v.map.set("k2", { x: 2 })).toThrow();
    expect(Object.isFrozen(date) || Object.isFrozen(bytes)).toBe(false);
    bytes[0] = 9;
    expect(bytes[0]).toBe(9);
    // Already-frozen values are trusted as they are (immer's rule), so their insides are not walked.
    expect(Object.isFrozen(shared.inner)).toBe(false);
  });
});
