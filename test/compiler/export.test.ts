/**
 * `rag graph` pictures (issue 3 §5): Mermaid, DOT and the JSON view of the examples and
 * of the lowering goldens, as goldens; every DOT file is laid out by real Graphviz
 * (WebAssembly build) to prove it is valid; and the drawing rules themselves.
 */
import { readFileSync } from "node:fs";
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { beforeAll, describe, expect, it } from "vitest";
import { compile, exportGraph, graphView, registryViewFromSnapshot, toMermaid, type Blueprint } from "../../compiler/index.js";
import { expectGolden } from "../helpers/golden.js";

const root = new URL("../../", import.meta.url).pathname;
const goldens = new URL("./export/", import.meta.url).pathname;

/** Agents the inputs name (as the examples' rag.config.ts registers them), by name only. */
const registry = registryViewFromSnapshot({ models: null, tools: null, agents: ["research_agent", "verifier_agent", "final_reviewer", "research", "final"], graphs: null, scripts: null, routers: null, reducers: null, node_kinds: null });

function blueprints(src: string): Blueprint[] {
  const r = compile(src, { registry });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(errors.map((d) => d.message).join("; "));
  return [...r.value.blueprints];
}
const graphsOf = (bps: Blueprint[]) => new Map(bps.map((b) => [b.id, b]));

let graphviz: Awaited<ReturnType<typeof Graphviz.load>>;
beforeAll(async () => {
  graphviz = await Graphviz.load();
});

const inputs = ["examples/research_review.rag", "examples/support_agent.rag", "examples/map_reduce.rag", "test/compiler/lower/sends.rag", "test/compiler/lower/nodes.rag", "test/compiler/lower/reference.rag"];

describe("graph export goldens", () => {
  for (const file of inputs) {
    it(file, () => {
      const bps = blueprints(readFileSync(root + file, "utf8"));
      const name = file.split("/").pop()!.replace(/\.rag$/, "");
      const opts = { graphs: graphsOf(bps) };
      expectGolden(`${goldens}${name}.mmd`, exportGraph(bps[0], "mermaid", opts));
      const dot = exportGraph(bps[0], "dot", opts);
      expectGolden(`${goldens}${name}.dot`, dot);
      expectGolden(`${goldens}${name}.view.json`, exportGraph(bps[0], "json", opts));
      expect(graphviz.dot(dot)).toContain("<svg");
    });
  }
});

describe("drawing rules", () => {
  const src = `
    graph main {
      start plan
      state { items: list<string>, out: list<string> append }
      node plan { kind router routes { when len(state.items) > 0 -> fan else -> END } }
      node fan { kind set send [work { item: x } for x in state.items -> out, helper {}] join merge wait first }
      node work { model "m" writes out }
      node merge { model "m" routes { ok -> sub retry -> plan } on_error -> END }
      node sub { kind subgraph graph "inner" next END }
      node gate { kind join sources [sub] next END }
      join [merge] -> gate
      interrupt before [merge]
    }
    graph inner { start i node i { model "m" next END } }
    agent helper { model "m" }`;
  const bps = blueprints(src);
  const view = graphView(bps[0], { graphs: graphsOf(bps) });
  const edge = (from: string, to: string) => view.edges.filter((e) => e.from === from && e.to === to);

  it("labels routes and conditions", () => {
    expect(edge("merge", "sub")).toEqual([{ from: "merge", to: "sub", kind: "route", label: "ok" }]);
    expect(edge("plan", "fan")).toEqual([{ from: "plan", to: "fan", kind: "when", label: "when len(state.items) > 0" }]);
    expect(edge("plan", "END")).toEqual([{ from: "plan", to: "END", kind: "else", label: "else" }]);
  });
  it("draws sends with what they iterate and the join they feed", () => {
    expect(edge("fan", "work")).toEqual([{ from: "fan", to: "work", kind: "send", label: "send each x in state.items → out" }]);
    expect(edge("fan", "agent:helper")[0].kind).toBe("send");
    expect(view.nodes.find((n) => n.id === "agent:helper")?.kind).toBe("agent_ref");
    expect(edge("work", "merge")).toEqual([{ from: "work", to: "merge", kind: "join", label: "join (wait first)" }]);
    expect(edge("agent:helper", "merge")[0].kind).toBe("join");
  });
  it("draws barriers, on_error and interrupts", () => {
    expect(edge("merge", "gate").map((e) => e.kind)).toEqual(["barrier"]);
    expect(edge("sub", "gate").map((e) => e.kind)).toEqual(["barrier"]);
    expect(edge("merge", "END")).toEqual([{ from: "merge", to: "END", kind: "on_error", label: "on error" }]);
    expect(view.nodes.find((n) => n.id === "merge")?.interrupt).toBe("before");
  });
  it("draws a same-file subgraph as a cluster entered by a calls edge", () => {
    expect(view.clusters).toEqual([{ id: "inner", label: "inner (subgraph)" }]);
    expect(view.nodes.filter((n) => n.cluster === "inner").map((n) => n.id)).toEqual(["inner/START", "inner/i", "inner/END"]);
    expect(edge("sub", "inner/START")).toEqual([{ from: "sub", to: "inner/START", kind: "calls", label: "calls" }]);
  });
  it("uses distinct Mermaid arrows and safe ids and labels", () => {
    const m = toMermaid(view);
    expect(m).toContain('n_fan -.->|"send each x in state.items → out"| n_work');
    expect(m).toContain('n_work ==>|"join (wait first)"| n_merge');
    expect(m).toContain('n_plan -->|"when len(state.items) #gt; 0"| n_fan');
    expect(m).toContain('subgraph n_cluster_inner ["inner (subgraph)"]');
    expect(m).toContain('n_inner_i["i<br/>model · model #quot;m#quot;"]');
    // Mermaid reads a bare `end` as the end of a subgraph: ids are always prefixed.
    const lower = toMermaid(graphView(blueprints("graph g { start end node end { next END } }")[0]));
    expect(lower).toContain('n_end["end<br/>model"]');
    expect(lower).toContain("n_START --> n_end\n  n_end --> n_END");
  });
  it("lays out under Graphviz with dashed sends and bold joins", () => {
    const dot = exportGraph(bps[0], "dot", { graphs: graphsOf(bps) });
    expect(dot).toContain('"fan" -> "work" [label="send each x in state.items → out", style=dashed];');
    expect(dot).toContain('"work" -> "merge" [label="join (wait first)", style=bold, penwidth=2];');
    expect(dot).toContain('subgraph "cluster_inner" {');
    expect(graphviz.dot(dot)).toContain("cluster_inner");
  });
});
