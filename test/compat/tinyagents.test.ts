/**
 * Replays every case of the reference implementation's compatibility corpus
 * (`../shared/compat/tinyagents/corpus.json`, read in place) as its README says: outcome,
 * expected codes (as errors), the line of the first expected code, and for `ok` cases the
 * asserted structure against the Blueprint IR.
 */
import { describe, expect, it } from "vitest";
import { compile, registryViewFromSnapshot, type Blueprint, type RegistrySnapshot } from "../../compiler/index.js";
import { HAS_SHARED, noteSharedAbsent, readSharedJson } from "../helpers/shared.js";

interface Case {
  id: string;
  source: string;
  registry: RegistrySnapshot | null;
  expect: "ok" | "error";
  expect_codes: string[] | null;
  expect_line: number | null;
  expect_structure: { graphs: GraphExpect[] } | null;
}
interface GraphExpect {
  id: string;
  start?: string;
  node_names?: string[];
  edges?: [string, string][];
  channels?: { name: string; reducer: string; args?: unknown[] }[];
  joins?: { sources: string[]; target: string }[];
  nodes?: ({ name: string } & Record<string, unknown>)[];
}

const cases = readSharedJson<Case[]>("compat/tinyagents/corpus.json", []);

/** The asserted view of one node, computed from the Blueprint IR. */
function nodeView(bp: Blueprint, name: string, keys: string[]): Record<string, unknown> {
  const n = bp.nodes.find((x) => x.name === name);
  if (!n) return { name, missing: true };
  const out: Record<string, unknown> = { name };
  const out_edges = bp.edges.filter((e) => e.from === name);
  for (const k of keys) {
    switch (k) {
      case "kind":
        out.kind = n.kind;
        break;
      case "next": {
        const s = out_edges.find((e) => e.kind === "static" && e.to !== "END");
        if (s) out.next = s.to;
        break;
      }
      case "goto": {
        const g = out_edges.find((e) => e.kind === "goto");
        if (g) out.goto = g.to;
        break;
      }
      case "routes":
        out.routes = Object.fromEntries(out_edges.filter((e) => e.kind === "route").map((e) => [(e as { label: string }).label, e.to]));
        break;
      case "terminal":
        if (out_edges.every((e) => e.to === "END") && !(n.sends?.length)) out.terminal = true;
        break;
      case "sends":
        out.sends = (n.sends ?? []).map((s) => ({ target: s.target, ...(s.args?.kind === "path" ? { input: s.args.path } : {}) }));
        break;
      case "sources":
        out.sources = n.sources;
        break;
      case "steering":
        out.steering = n.steering;
        break;
      case "model":
      case "tools":
      case "agent":
      case "graph":
      case "script":
        out[k] = n[k];
        break;
    }
  }
  return out;
}

function graphView(bp: Blueprint, expect: GraphExpect): GraphExpect {
  const v: GraphExpect = { id: bp.id };
  if (expect.start !== undefined) v.start = bp.start[0];
  if (expect.node_names) v.node_names = bp.nodes.map((n) => n.name);
  if (expect.edges) v.edges = bp.edges.filter((e) => e.kind === "static" && e.origin === "edge").map((e) => [e.from, e.to]);
  if (expect.channels)
    v.channels = bp.state.map((f) => {
      const args = [...(f.reducer.fn !== undefined ? [f.reducer.fn] : []), ...f.reducer.args];
      return { name: f.name, reducer: f.reducer.name, ...(args.length ? { args } : {}) };
    });
  if (expect.joins) v.joins = bp.barriers.filter((b) => b.origin === "edge").map((b) => ({ sources: [...b.sources], target: b.target }));
  if (expect.nodes) v.nodes = expect.nodes.map((n) => nodeView(bp, n.name, Object.keys(n).filter((k) => k !== "name")) as GraphExpect["nodes"] extends (infer T)[] | undefined ? T : never);
  return v;
}

// A fresh clone has no ../shared: the corpus is skipped, with the reason printed (CI fails instead).
noteSharedAbsent();
describe.skipIf(!HAS_SHARED)("tinyagents compatibility corpus", () => {
  it("holds 175 cases", () => {
    expect(cases).toHaveLength(175);
  });

  for (const c of cases) {
    it(c.id, () => {
      const r = compile(c.source, { file: `${c.id}.rag`, ...(c.registry ? { registry: registryViewFromSnapshot(c.registry) } : {}) });
      const errors = r.diagnostics.filter((d) => d.severity === "error");
      const summary = errors.map((d) => `${d.code}@${d.span.start.line}:${d.span.start.column} ${d.message}`);
      if (c.expect === "ok") {
        expect(summary).toEqual([]);
        if (c.expect_structure) {
          const graphs = r.value.blueprints;
          expect(graphs.map((g) => g.id)).toEqual(c.expect_structure.graphs.map((g) => g.id));
          c.expect_structure.graphs.forEach((ge, i) => expect(graphView(graphs[i], ge)).toEqual(ge));
        }
        return;
      }
      expect(errors.length, "expected at least one error").toBeGreaterThan(0);
      for (const code of c.expect_codes ?? []) expect(summary.some((s) => s.startsWith(code + "@")), `${code} in ${JSON.stringify(summary)}`).toBe(true);
      if (c.expect_line !== null && c.expect_codes?.length) {
        const code = c.expect_codes[0];
        expect(errors.filter((d) => d.code === code).map((d) => d.span.start.line), JSON.stringify(summary)).toContain(c.expect_line);
      }
    });
  }
});
