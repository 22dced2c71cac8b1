/**
 * `result.x` after a subgraph node whose graph declares no `output` (W-rag-subgraph-
 * result-undeclared): the read checked clean and then wrote null at run time, failing the
 * run with "expected … got null". The warning points at the read and the child graph;
 * its fix declares the fields read as the child's `output`, typed like its state fields,
 * after which the run returns the value.
 */
import { describe, expect, it } from "vitest";
import { compile, fixAll } from "../../compiler/index.js";
import { CompiledGraph } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";

const CHILD = `graph counter {
  input { n: number }
  state { total: number sum, note: string }
  start add
  node add {
    kind set
    set { total: input.n }
    next END
  }
}
`;
const parent = (writes: string, graphName = "counter") => `graph main {
  state { seen: list<number> append, label: string }
  start tick
  node tick {
    kind subgraph
    graph "${graphName}"
    input { n: 2 }
    writes { ${writes} }
    next END
  }
}
`;
const warnings = (src: string) => compile(src).diagnostics.filter((d) => d.code === "W-rag-subgraph-result-undeclared");

describe("W-rag-subgraph-result-undeclared", () => {
  it("warns at each result.x read, names the child, and its fix declares the output so the run returns the value", async () => {
    const src = CHILD + parent("seen: result.total");
    const ws = warnings(src);
    expect(ws.map((d) => [d.message, d.span.start.line, d.span.start.column])).toEqual([
      ["graph `counter` declares no `output`, so `result.total` after node `tick` reads whatever the child's last task returned (null after a `set` node)", 18, 20],
    ]);
    expect(ws[0].fixes.map((f) => f.replacement.trim())).toEqual(["output { total: number }"]);
    const fixed = fixAll(src);
    expect(fixed.text).toContain("  output { total: number }\n}");
    expect(warnings(fixed.text)).toEqual([]);
    const bps = compile(fixed.text).value.blueprints;
    const r = await new CompiledGraph(bps.find((b) => b.id === "main")!, { registry: standardRegistry(), graphs: new Map(bps.map((b) => [b.id, b])) }).invoke({});
    expect(r.state.seen).toEqual([2]);
  });

  it("unfixed, the run fails with a plain write error (no 'null null', no zod text)", async () => {
    const bps = compile(CHILD + parent("seen: result.total")).value.blueprints;
    const events = [];
    for await (const e of new CompiledGraph(bps.find((b) => b.id === "main")!, { registry: standardRegistry(), graphs: new Map(bps.map((b) => [b.id, b])) }).stream({})) events.push(e);
    const failed = events.find((e) => e.type === "run_failed") as { error: { message: string } } | undefined;
    expect(failed?.error.message).toBe("graph `main`, node `tick`, field `seen`: expected an item or list for list<number>, got null");
  });

  it("gives one fix for several fields, and none when a field read is not a state field of the child", () => {
    const both = warnings(CHILD + parent("seen: result.total, label: result.note"));
    expect(both.length).toBe(2);
    expect(both[0].fixes.map((f) => f.replacement.trim())).toEqual(["output { total: number, note: string }"]);
    const unknown = warnings(CHILD + parent("label: result.missing"));
    expect(unknown.length).toBe(1);
    expect(unknown[0].fixes).toEqual([]);
  });

  it("is silent when the child declares an output, for `result` itself, and for graphs not in the file", () => {
    expect(warnings(CHILD.replace("start add", "start add\n  output { total: number }") + parent("seen: result.total"))).toEqual([]);
    expect(warnings(CHILD + parent("label: result"))).toEqual([]);
    expect(warnings(parent("seen: result.total", "registered_elsewhere"))).toEqual([]);
  });
});
