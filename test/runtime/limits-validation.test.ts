/**
 * Limits and write validation of the superstep loop (`runtime.md` §1, §5): the recursion
 * limit (graph default, per-run override, `max_steps`), and validation of every write
 * against the state types (zod) with errors naming graph, node and field.
 */
import { describe, expect, it } from "vitest";
import { InvalidUpdateError, RecursionLimitError } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { buildGraph, failure, registerProbe, runGraph } from "../helpers/run-graph.js";

describe("recursion limit", () => {
  // The exit never fires (n only grows). A loop with no exit at all is rejected by the
  // compiler (E-rag-cycle-without-exit), so the runtime's limit is tested through this one.
  const cycle = (limit: string) => `graph g {
    start a
    ${limit}
    state { n: number = 0 }
    node a { kind probe set { n: state.n + 1 } routes { when state.n < 0 -> END  else -> a } }
  }`;

  it("a cycle without exit fails with RecursionLimitError after recursion_limit supersteps", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const err = await failure(runGraph(cycle("defaults { recursion_limit 5 }"), {}, { registry }));
    expect(err).toBeInstanceOf(RecursionLimitError);
    const e = err as RecursionLimitError;
    expect(e.code).toBe("recursion_limit");
    expect(e.limit).toBe(5);
    expect(e.graph).toBe("g");
    expect(calls).toHaveLength(5);
    expect(calls.map((c) => c.state.n)).toEqual([0, 1, 2, 3, 4]);
  });

  it("the run option recursionLimit overrides the graph default, and the default is 100", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const { graph } = buildGraph(cycle(""), { registry });
    const e1 = await failure(graph.invoke({}, { recursionLimit: 3 }));
    expect((e1 as RecursionLimitError).limit).toBe(3);
    expect(calls).toHaveLength(3);
    calls.length = 0;
    const e2 = await failure(graph.invoke());
    expect((e2 as RecursionLimitError).limit).toBe(100);
    expect(calls).toHaveLength(100);
  });

  it("a run that needs exactly recursion_limit supersteps completes; one more step fails", async () => {
    const src = (n: number) => `graph g {
      start a
      defaults { recursion_limit ${n} }
      node a { kind set next b }
      node b { kind set next c }
      node c { kind set next END }
    }`;
    expect((await runGraph(src(3))).steps).toBe(3);
    expect(await failure(runGraph(src(2)))).toBeInstanceOf(RecursionLimitError);
  });

  it("a loop with an exit condition ends normally", async () => {
    const src = `graph g {
      start a
      defaults { recursion_limit 20 }
      state { n: number = 0 }
      node a { kind set set { n: state.n + 1 } routes { when state.n < 4 -> a  else -> END } }
    }`;
    const r = await runGraph(src);
    expect(r.state.n).toBe(4);
    expect(r.steps).toBe(4);
  });
});

describe("write validation", () => {
  it("a string written into a number field fails with InvalidUpdateError naming graph, node and field", async () => {
    // The value comes from the run input: a literal "oops" is rejected at compile time (E-rag-type-mismatch).
    const src = `graph counter_graph {
      start bad
      state { count: number = 0 }
      node bad { kind set set { count: input.value } next END }
    }`;
    const err = await failure(runGraph(src, { value: "oops" }));
    expect(err).toBeInstanceOf(InvalidUpdateError);
    const e = err as InvalidUpdateError;
    expect(e.code).toBe("invalid_update");
    expect(e.channel).toBe("count");
    expect(e.node).toBe("bad");
    expect(e.graph).toBe("counter_graph");
    expect(e.message).toContain("counter_graph");
    expect(e.message).toContain("bad");
    expect(e.message).toContain("count");
    expect(e.message).toContain("number");
    expect(e.message).toContain("oops");
  });

  it("a node kind writing a wrong type is rejected the same way", async () => {
    const registry = standardRegistry();
    registerProbe(registry, "probe", async () => ({ writes: [["flags", [true, "no"]]] }));
    const src = `graph g { start p  state { flags: list<boolean> append }  node p { kind probe next END } }`;
    const err = await failure(runGraph(src, {}, { registry }));
    expect(err).toBeInstanceOf(InvalidUpdateError);
    expect((err as InvalidUpdateError).channel).toBe("flags");
    expect((err as InvalidUpdateError).node).toBe("p");
  });

  it("append channels accept one item or a list of items of the element type", async () => {
    const src = `graph g {
      start a
      state { xs: list<number> append }
      node a { kind set set { xs: 1 } next b }
      node b { kind set set { xs: [2, 3] } next END }
    }`;
    expect((await runGraph(src)).state.xs).toEqual([1, 2, 3]);
  });

  it("enum, record and optional fields are validated", async () => {
    const base = (value: string) => `graph g {
      start a
      state { mode: "fast" | "slow" = "fast"  rec: { name: string, age: number }?  }
      node a { kind set set { ${value} } next END }
    }`;
    expect((await runGraph(base(`mode: "slow"`))).state.mode).toBe("slow");
    // not a literal: `rag check` rejects `mode: "medium"` itself (E-rag-type-mismatch); this is the runtime's check
    expect(await failure(runGraph(base(`mode: lower("MEDIUM")`)))).toBeInstanceOf(InvalidUpdateError);
    expect((await runGraph(base(`rec: { name: "ada", age: 36 }`))).state.rec).toEqual({ name: "ada", age: 36 });
    expect(await failure(runGraph(base(`rec: { name: "ada", age: "old" }`)))).toBeInstanceOf(InvalidUpdateError);
    expect((await runGraph(base(`rec: null`))).state.rec).toBeNull();
  });

  it("writing a channel that is not a state field is an InvalidUpdateError", async () => {
    const registry = standardRegistry();
    registerProbe(registry, "probe", async () => ({ writes: [["nope", 1]] }));
    const err = await failure(runGraph(`graph g { start p  state { x: number = 0 }  node p { kind probe next END } }`, {}, { registry }));
    expect(err).toBeInstanceOf(InvalidUpdateError);
    expect((err as InvalidUpdateError).channel).toBe("nope");
    expect(err.message).toContain("p");
  });

  it("an invalid write fails the step: no later node runs", async () => {
    const registry = standardRegistry();
    const seen: unknown[] = [];
    registerProbe(registry, "probe", async (task) => {
      seen.push(task.state.ok);
      return {};
    });
    const src = `graph g {
      start s
      state { ok: number = 0  count: number = 0 }
      node s { kind set next [good, bad] }
      node good { kind set set { ok: 1 } next END }
      node bad { kind set set { count: input.value } next after }
      node after { kind probe next END }
    }`;
    const err = await failure(runGraph(src, { value: "x" }, { registry }));
    expect(err).toBeInstanceOf(InvalidUpdateError);
    expect(seen).toEqual([]);
  });
});
