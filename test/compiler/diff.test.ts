/**
 * `rag diff` (issue 3 §5): the compat corpus's diff_* pairs (read in place) as goldens,
 * one test per area of the diff, and the two laws: same hash ⇒ empty diff (over every
 * lowering golden and compat case against its formatted self), different hash ⇒ a non-empty,
 * mirror-image diff.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile, diffBlueprints, formatSource, renderDiff, type Blueprint } from "../../compiler/index.js";
import { expectGolden } from "../helpers/golden.js";
import { describeShared, itShared, readSharedJson } from "../helpers/shared.js";

const goldens = new URL("./diff/", import.meta.url).pathname;
const corpus = readSharedJson<{ id: string; source: string; expect: string }[]>("compat/tinyagents/corpus.json", []);
const caseSource = (id: string) => corpus.find((c) => c.id === id)!.source;

function bps(src: string): Blueprint[] {
  const r = compile(src);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(errors.map((d) => d.message).join("; "));
  return [...r.value.blueprints];
}
const bp = (src: string, i = 0) => bps(src)[i];
const summary = (a: string, b: string) => diffBlueprints(bp(a), bp(b)).changes.map((c) => `${c.op} ${c.area} ${c.subject}`);

describeShared("compat diff pairs", () => {
  const pairs = [
    ["diff_base", "diff_new"],
    ["diff_command_base", "diff_command_new"],
    ["diff_order_old", "diff_order_new"],
    ["diff_feature_old", "diff_feature_new"],
    ["diff_fields_old", "diff_fields_new"],
    ["diff_edge_old", "diff_edge_new"],
  ];
  for (const [a, b] of pairs) {
    it(`${a} → ${b}`, () => {
      const d = diffBlueprints(bp(caseSource(a)), bp(caseSource(b)));
      expect(d.identical).toBe(false);
      expectGolden(`${goldens}${a}.txt`, renderDiff(d));
      expectGolden(`${goldens}${a}.json`, JSON.stringify(d, null, 2) + "\n");
    });
  }

  it("diff_base → diff_new: a new interrupt node spliced into a route", () => {
    expect(summary(caseSource("diff_base"), caseSource("diff_new"))).toEqual(["added node review", "added edge review -> work", "changed route plan.research"]);
  });
  it("diff_command: only the update value of one node", () => {
    const d = diffBlueprints(bp(caseSource("diff_command_base")), bp(caseSource("diff_command_new")));
    expect(d.changes).toHaveLength(1);
    expect(d.changes[0].fields?.map((f) => f.field)).toEqual(["command"]);
  });
  it("diff_fields: every field of the node, one line each", () => {
    const d = diffBlueprints(bp(caseSource("diff_fields_old")), bp(caseSource("diff_fields_new")));
    const node = d.changes.find((c) => c.area === "node")!;
    expect(node.fields?.map((f) => f.field).sort()).toEqual(["kind", "metadata", "model", "prompt", "timeoutMs", "tools"]);
    expect(node.fields?.find((f) => f.field === "model")).toEqual({ field: "model", before: "m1", after: "m2" });
    expect(renderDiff(d)).toContain("    timeout: 5s → 10s\n");
  });
  it("diff_edge: an edge removed and another added", () => {
    expect(summary(caseSource("diff_edge_old"), caseSource("diff_edge_new"))).toEqual(["removed edge a -> b", "added edge a -> END"]);
  });
});

describe("diff areas", () => {
  const g = (body: string, extra = "") => `${extra}\ngraph g {\n  start a\n${body}\n}`;
  it("channels: type, reducer and default per field", () => {
    const d = diffBlueprints(bp(g("state { x: string }\nnode a {}")), bp(g('state { x: list<string> append = ["a"] }\nnode a {}')));
    expect(d.changes.map((c) => [c.area, c.op, c.subject, ...(c.fields ? [c.fields.map((f) => f.field)] : [])])).toEqual([
      ["channel", "changed", "x", ["type", "reducer", "default"]],
      ["capability", "removed", "reducers: overwrite"],
      ["capability", "added", "reducers: append"],
    ]);
    expect(renderDiff(d)).toContain("    type: string → list<string>\n    reducer: overwrite → append\n    default: ∅ → [\"a\"]\n");
  });
  it("conditions, barriers, start and goto", () => {
    const a = g("node a { routes { when state.n > 1 -> b else -> END } }\nnode b { command { goto END } }\njoin [a] -> b\nstate { n: number }");
    const b = g("START -> b\nnode a { routes { when state.n > 2 -> b else -> END } }\nnode b { next END }\nstate { n: number }");
    expect(summary(a, b)).toEqual([
      "changed start start",
      "changed node b",
      "removed edge b -> END (goto)",
      "added edge b -> END",
      "removed route a when state.n > 1 -> b",
      "added route a when state.n > 2 -> b",
      "removed barrier join [a] -> b",
    ]);
  });
  it("schemas, inline agents and same-file subgraphs", () => {
    const src = (field: string, model: string, inner: string) =>
      `schema S { ${field} }\nagent helper { model "${model}" }\ngraph g { start a state { s: S } node a { send [helper {}] join b } node b { kind subgraph graph "inner" } }\ngraph inner { start i node i { model "${inner}" } }`;
    expect(summary(src("x: string", "m", "i1"), src("x: number", "m2", "i2"))).toEqual([
      "changed schema S",
      "changed agent helper",
      "changed subgraph inner",
      "removed capability models: m",
      "added capability models: m2",
    ]);
  });
  it("policies: interrupts, checkpoint, defaults, metadata, tags, allow", () => {
    const a = g('node a {}\ninterrupt before [a]\ncheckpoint sync\ndefaults { recursion_limit: 5 }\nmetadata { owner: "x" }\ntags ["t"]\nallow tools ["s"]');
    const b = g('node a {}\ninterrupt after [a]\ncheckpoint async\ninterrupt manual\ndefaults { recursion_limit: 6, timeout: 30s }\nallow tools ["s", "u"]');
    expect(summary(a, b)).toEqual([
      "removed policy interrupt before",
      "added policy interrupt after",
      "added policy interrupt",
      "changed policy checkpoint",
      "changed policy defaults.recursion_limit",
      "added policy defaults.timeout",
      "removed policy metadata.owner",
      "removed policy tags",
      "changed policy allow.tools",
    ]);
  });
  it("input and output fields", () => {
    expect(summary(g("input { q: string }\nnode a {}"), g("input { q: string?, k: integer }\noutput { r: string }\nnode a {}"))).toEqual([
      "changed input q",
      "added input k",
      "added output r",
    ]);
  });
});

describe("diff laws", () => {
  // The lowering goldens compile without a registry, so the first law runs on a fresh clone too.
  const lower = new URL("./lower/", import.meta.url);
  const lowerSources = readdirSync(lower).filter((f) => f.endsWith(".rag")).map((f) => readFileSync(new URL(f, lower), "utf8"));
  const compiles = (s: string) => !compile(s).diagnostics.some((d) => d.severity === "error");
  const okSources = [...lowerSources.filter(compiles), ...corpus.filter((c) => c.expect === "ok").map((c) => c.source)].filter((s) => bps(s).length > 0);

  it("same hash ⇒ empty diff: every lowering golden and ok compat case against its formatted self and a renamed file", () => {
    for (const src of okSources) {
      const formatted = formatSource(src).value!;
      const [a, b] = [bps(src), bps(formatted)];
      a.forEach((x, i) => {
        expect(b[i].hash).toBe(x.hash);
        const d = diffBlueprints(x, { ...b[i], source: { file: "other.rag" }, provenance: { generatedBy: "model" } });
        expect(d).toEqual({ from: { id: x.id, hash: x.hash }, to: { id: x.id, hash: x.hash }, identical: true, changes: [] });
      });
    }
    expect(renderDiff(diffBlueprints(bp(okSources[0]), bp(okSources[0])))).toMatch(/^no semantic changes: /);
  });

  itShared("different hash ⇒ a non-empty diff, and b→a mirrors a→b", () => {
    const all = okSources.flatMap((s) => bps(s));
    let pairs = 0;
    for (let i = 0; i < all.length; i += 3) {
      for (let j = i + 1; j < all.length; j += 7) {
        const [a, b] = [all[i], all[j]];
        if (a.hash === b.hash) continue;
        const ab = diffBlueprints(a, b);
        const ba = diffBlueprints(b, a);
        expect(ab.changes.length).toBeGreaterThan(0);
        const flip = { added: "removed", removed: "added", changed: "changed" } as const;
        const key = (c: (typeof ab.changes)[number], op: string) => `${op} ${c.area} ${c.subject}`;
        expect(ba.changes.map((c) => key(c, c.op)).sort()).toEqual(ab.changes.map((c) => key(c, flip[c.op])).sort());
        pairs++;
      }
    }
    expect(pairs).toBeGreaterThan(50);
  });

  it("reports a difference of the hashed form that no area itemizes", () => {
    const a = bp(g0);
    const b = { ...a, hash: "sha256:other", futureField: 1 } as unknown as Blueprint;
    expect(diffBlueprints(a, b).changes).toEqual([{ area: "graph", op: "changed", subject: "futureField", after: 1 }]);
    expect(diffBlueprints(a, { ...a, hash: "sha256:other" }).changes).toEqual([{ area: "graph", op: "changed", subject: "blueprint", before: a.hash, after: "sha256:other" }]);
  });
});

const g0 = "graph g { start a node a { next END } }";
