/**
 * Graph analyses (`language.md` §2.3, §5): unreachable nodes, loops without exit, no
 * path to END, joins that never fire, concurrent overwrites, implicit ends — each with
 * the cases that must and must not report, since a false alarm costs as much trust as
 * a miss.
 */
import { describe, expect, it } from "vitest";
import { compile, registryViewFromSnapshot, type RegistrySnapshot } from "../../compiler/index.js";

function diags(src: string, registry?: RegistrySnapshot) {
  return compile(src, { file: "t.rag", ...(registry ? { registry: registryViewFromSnapshot(registry) } : {}) }).diagnostics;
}
/** `code@line` of every diagnostic whose code starts with `prefix`. */
function codes(src: string, prefix = "", registry?: RegistrySnapshot): string[] {
  return diags(src, registry)
    .filter((d) => d.code.includes(prefix))
    .map((d) => `${d.code}@${d.span.start.line}`);
}

describe("unreachable nodes", () => {
  it("warns for a node no path reaches, at its name", () => {
    const src = "graph g {\n  start a\n  node a { next END }\n  node orphan { next END }\n}";
    expect(codes(src, "unreachable")).toEqual(["W-rag-unreachable-node@4"]);
    const d = diags(src).find((x) => x.code === "W-rag-unreachable-node")!;
    expect(d.severity).toBe("warning");
    expect(d.message).toContain("orphan");
  });

  it("counts every way in: routes, goto, sends, joins, barriers, on_error, START edges", () => {
    const src = `graph g {
      START -> a
      node a { routes { x -> b  y -> c } }
      node b { command { goto d } }
      node c { send [w] join e }
      node w { on_error -> h }
      node d { next END }
      node e { next [f1, f2] }
      node f1 { next END }
      node f2 { next END }
      join [f1, f2] -> j
      node j { next END }
      node h { next END }
    }`;
    expect(codes(src, "unreachable")).toEqual([]);
  });

  it("stays quiet while a reference names no node (the misspelling is the error)", () => {
    const src = "graph g { start a node a { routes { go -> toolz } } node tools { next END } }";
    expect(codes(src)).toEqual(["E-rag-unknown-node@1"]);
  });

  it("follows a repeated node name's first declaration: the repeat's routes add no edge", () => {
    // the second `a` routes to c and never to END; only the first declaration's `next b` counts
    const src = "graph g {\n  start a\n  node a { next b }\n  node b { next END }\n  node a { next c }\n  node c { next c }\n}";
    expect(codes(src)).toEqual(["E-rag-duplicate-node@5", "W-rag-unreachable-node@6"]);
  });

  it("counts a node of a registry kind as a way to any node and to END: its Command may go anywhere (LangGraph's edgeless graphs)", () => {
    const registry: RegistrySnapshot = { models: [], tools: [], agents: [], graphs: [], scripts: [], routers: [], reducers: null, node_kinds: ["hop", "set"], validators: [] };
    const src = `graph g {
      start a
      state { notes: list<string> append }
      node a { kind hop next c }
      node b { kind set set { notes: "b" } }
      node c { kind set set { notes: "c" } }
      join [b, c] -> d
      node d { kind set set { notes: "d" } next END }
      node loop1 { kind set next loop2 }
      node loop2 { kind hop next loop1 }
    }`;
    expect(diags(src, registry).map((d) => d.code)).toEqual([]);
    // without the registry kind the same shape is still checked: b is never reached
    const plain = src.replace("kind hop next c", "kind set next c").replace("kind hop next loop1", "kind set next loop1");
    expect(codes(plain, "", registry)).toEqual(expect.arrayContaining(["W-rag-unreachable-node@5", "E-rag-join-never-fires@7"]));
  });

  it("stays quiet when the graph has no entry", () => {
    expect(codes("graph g { node a { next END } node b { next END } }", "unreachable")).toEqual([]);
  });
});

describe("loops without exit and no path to END", () => {
  it("reports a loop with no way out once, at the edge that closes it, naming the loop", () => {
    const src = "graph g {\n  start a\n  node a { next b }\n  node b { next a }\n}";
    const ds = diags(src).filter((d) => d.code === "E-rag-cycle-without-exit");
    expect(ds).toHaveLength(1);
    expect(ds[0].span.start.line).toBe(4);
    expect(ds[0].message).toContain("`a` → `b` → `a`");
    expect(ds[0].labels.map((l) => l.message)).toEqual(["`a` → `b`"]);
  });

  it("reports a self-loop", () => {
    expect(codes("graph g { start a node a { next a } }", "cycle")).toEqual(["E-rag-cycle-without-exit@1"]);
  });

  it("accepts loops with an exit: a when/else route, a label route out, on_error, or when-only routes", () => {
    for (const body of [
      "node a { routes { when state.n > 3 -> END  else -> a } }",
      "node a { kind agent model \"m\" routes { tool_call -> t  final -> END } } node t { kind tool_executor next a }",
      "node a { next b } node b { next a on_error -> END }",
      "node a { routes { when state.n < 3 -> a } }",
    ]) {
      expect(codes(`graph g { start a state { n: number } ${body} }`, "E-rag"), body).toEqual([]);
    }
  });

  it("a recursion limit does not make an exitless loop valid", () => {
    expect(codes("graph g { start a defaults { recursion_limit 5 } node a { next a } }", "cycle")).toEqual(["E-rag-cycle-without-exit@1"]);
  });

  it("reports no path to END where the doomed part begins, pointing at the loop", () => {
    const src = "graph g {\n  start a\n  node a { next b }\n  node b { next c }\n  node c { next d }\n  node d { next c }\n}";
    expect(codes(src, "E-rag")).toEqual(["E-rag-no-path-to-end@3", "E-rag-cycle-without-exit@6"]);
    const d = diags(src).find((x) => x.code === "E-rag-no-path-to-end")!;
    expect(d.labels[0].message).toContain("`c` → `d` → `c`");
  });

  it("does not blame a node that can still end another way", () => {
    const src = "graph g { start a node a { routes { x -> b  y -> END } } node b { next c } node c { next b } }";
    expect(codes(src, "E-rag")).toEqual(["E-rag-cycle-without-exit@1"]);
  });

  it("handles a 10,000-node loop without overflowing the stack", () => {
    const n = 10_000;
    const nodes = Array.from({ length: n }, (_, i) => `node n${i} { next n${(i + 1) % n} }`).join("\n");
    const ds = diags(`graph g { start n0\n${nodes}\n}`);
    expect(ds.map((d) => d.code)).toEqual(["E-rag-cycle-without-exit"]);
  });
});

describe("joins that never fire", () => {
  it("reports a barrier source that is never reached", () => {
    const src = "graph g {\n  start a\n  node a { next b }\n  node b { next END }\n  node c { next END }\n  join [b, c] -> d\n  node d { next END }\n}";
    const d = diags(src).find((x) => x.code === "E-rag-join-never-fires")!;
    expect(d.message).toContain("`c` is never reached");
    expect(d.span.start.line).toBe(6);
  });

  it("reports sources that are alternative routes of one node, but not when a loop re-enters it", () => {
    const alt = "graph g { start r node r { routes { x -> b  y -> c } } node b {} node c {} join [b, c] -> d node d { next END } }";
    expect(codes(alt, "join")).toEqual(["E-rag-join-never-fires@1"]);
    const looping = "graph g { start r state { n: number } node r { routes { x -> b  y -> c } } node b { next r } node c { next r } join [b, c] -> d node d { next END } }";
    expect(codes(looping, "join-never")).toEqual([]);
    const fanout = "graph g { start r node r { next [b, c] } node b {} node c {} join [b, c] -> d node d { next END } }";
    expect(codes(fanout, "join-never")).toEqual([]);
  });

  it("reports `wait N` above the number of branches, with a fix to `wait all`; not with a comprehension", () => {
    const src = "graph g { start a node a { send [b, c] join d wait 3 } node b {} node c {} node d { next END } }";
    const d = diags(src).find((x) => x.code === "E-rag-join-never-fires")!;
    expect(d.fixes[0].replacement).toBe("all");
    expect(codes(src.replace("wait 3", "wait 2"), "join")).toEqual([]);
    expect(codes("graph g { start a input { xs: list<string> } node a { send [b { x: v } for v in input.xs] join d wait 3 } node b {} node d { next END } }", "join")).toEqual([]);
  });
});

describe("concurrent overwrites", () => {
  const state = "state { out: string  log: list<string> append }";
  it("warns when every branch of a comprehension writes an overwrite field", () => {
    const src = `graph g { start a input { xs: list<string> } ${state} node a { send [w { x: v } for v in input.xs] join d } node w { writes out } node d { next END } }`;
    expect(codes(src, "concurrent")).toEqual(["W-rag-concurrent-overwrite@1"]);
    expect(codes(src.replace("writes out", "writes log"), "concurrent")).toEqual([]);
  });

  it("warns for two send targets or two static successors writing the same overwrite field", () => {
    expect(codes(`graph g { start a ${state} node a { send [b, c] join d } node b { set { out: "b" } } node c { writes out } node d { next END } }`, "concurrent")).toHaveLength(1);
    expect(codes(`graph g { start a ${state} node a { next [b, c] } node b { set { out: "b" } next END } node c { set { out: "c" } next END } }`, "concurrent")).toHaveLength(1);
    expect(codes(`graph g { start a ${state} node a { next [b, c] } node b { set { out: "b" } next END } node c { set { log: "c" } next END } }`, "concurrent")).toEqual([]);
  });

  it("sees registered agents' channels through the registry view, and `-> channel`", () => {
    const src = `graph g { start a ${state} node a { send [r1 -> out, r2 -> out] join d } node d { next END } }`;
    expect(codes(src, "concurrent", { agents: ["r1", "r2"], graphs: [] })).toHaveLength(1);
  });
});

describe("implicit end", () => {
  it("warns with a `next END` fix that follows the layout", () => {
    const multi = "graph g {\n  start a\n  node a {\n    kind model\n  }\n}";
    const d = diags(multi).find((x) => x.code === "W-rag-implicit-end")!;
    expect(d.fixes).toHaveLength(1);
    const f = d.fixes[0];
    expect(multi.slice(0, f.span.start.offset) + f.replacement + multi.slice(f.span.end.offset)).toBe("graph g {\n  start a\n  node a {\n    kind model\n    next END\n  }\n}");
    const one = "graph g { start a node a { kind model } }";
    const g = diags(one).find((x) => x.code === "W-rag-implicit-end")!.fixes[0];
    expect(one.slice(0, g.span.start.offset) + g.replacement + one.slice(g.span.end.offset)).toBe("graph g { start a node a { kind model next END } }");
  });

  it("is quiet for nodes reached only by send, routed nodes and barrier sources", () => {
    expect(codes("graph g { start a node a { send [w] join d } node w { } node d { next END } }", "implicit")).toEqual([]);
    expect(codes("graph g { start a node a { next [b, c] } node b {} node c {} join [b, c] -> d node d { next END } }", "implicit")).toEqual([]);
  });
});
