/**
 * `rag simulate` (issue 15 §5): the real compiler and runtime against a stand-in
 * registry built from a `rag registry export` snapshot. Proves a counter loop bounded,
 * fails on a loop whose `when` exit never comes true, finds the path on which a tool
 * runs without an approval of that call, reports model-choice loops with the cost of a
 * turn, explores `when` outcomes of generated data and interrupt options, and checks
 * `ends_within`. Through the CLI in-process, files in a temp dir.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { exportRegistry, tool } from "../../registry/index.js";
import type { SimReport } from "../../simulate/index.js";
import { scripted, standardRegistry } from "../../stdlib/index.js";
import { ragIn } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const dir = scratchDir("rag-simulate-");

/** A registry snapshot with model `default`, read-only `lookup` and mutating `refund` (approval policy `refundApproval`). */
function snapshotFile(name: string, refundApproval: "auto" | "ask"): string {
  const r = standardRegistry();
  r.registerModel("default", { provider: scripted({ rules: [] }), modelId: "gpt-4o-mini" });
  r.registerTool("lookup", tool({ description: "look up an order", schema: z.object({ order: z.string() }), readOnly: true, run: () => "found" }));
  r.registerTool("refund", tool({ description: "refund an order", schema: z.object({ order: z.string(), amount: z.number() }), approval: refundApproval, run: () => "refunded" }));
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(exportRegistry(r)));
  return file;
}
const autoRegistry = snapshotFile("auto.json", "auto");
const askRegistry = snapshotFile("ask.json", "ask");

async function simulateJson(name: string, source: string, registry = autoRegistry): Promise<{ code: number | null; report: SimReport; stderr: string }> {
  const file = join(dir, name);
  writeFileSync(file, source);
  const r = await ragIn(["simulate", file, "--registry", registry, "--json"], dir);
  return { code: r.code, report: JSON.parse(r.stdout || "null") as SimReport, stderr: r.stderr };
}

const counter = (increment: string) => `// rag:assert ends_within 12
graph counter {
  start tick
  state { n: integer = 0 }
  node tick { kind set set { n: ${increment} } next check }
  node check { kind router routes { when state.n >= 3 -> END  else -> tick } }
}
`;

const support = `// rag:assert approval ["refund"]
graph support {
  start agent
  state { messages: messages }
  node agent {
    kind agent
    model "default"
    prompt "Handle the refund request"
    tools ["lookup", "refund"]
    routes { tool_call -> tools  final -> END }
  }
  node tools { kind tool_executor tools ["lookup", "refund"] next agent }
}
`;

describe("rag simulate: loops", () => {
  it("follows a counter loop to its bound and proves it bounded (exit 0)", async () => {
    const { code, report } = await simulateJson("counter.rag", counter("state.n + 1"));
    expect(code).toBe(0);
    expect(report.paths).toHaveLength(1);
    expect(report.paths[0]).toMatchObject({ status: "end", supersteps: 6, steps: [["tick"], ["check"], ["tick"], ["check"], ["tick"], ["check"]] });
    expect(report.loops).toEqual([{ kind: "bounded", nodes: ["tick", "check"], maxIterations: 3, path: 0 }]);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("fails (exit 1) on a loop the graph claims to bound whose exit never comes true", async () => {
    const { code, report } = await simulateJson("stuck.rag", counter("state.n"));
    expect(code).toBe(1);
    expect(report.loops).toEqual([{ kind: "unbounded", nodes: expect.arrayContaining(["tick", "check"]), path: 0 }]);
    expect(report.errors[0].message).toContain("ran to the recursion limit (100 supersteps)");
    expect(report.violations.map((v) => v.assertion)).toContain("rag:assert ends_within 12");
  });

  it("reports a loop only the model's choice exits, with the supersteps one turn costs, and is not an error", async () => {
    const { report } = await simulateJson("loop.rag", support, askRegistry);
    expect(report.loops).toContainEqual({ kind: "choice", nodes: ["agent", "tools"], by: "model", site: "support.agent", superstepsPerTurn: 2, path: expect.any(Number) });
    expect(report.errors).toEqual([]);
    expect(report.paths.some((p) => p.status === "choice_loop")).toBe(true);
  });

  it("fails (exit 1) on a loop a model goes around whose exit no answer of the model can change", async () => {
    // `work`'s answers only reach `out`; the exit reads `n`, which nothing writes.
    const loop = (exit: string, writes: string) => `// rag:assert ends_within 12
graph lp1 {
  start work
  state { n: integer sum = 0, out: string, ok: boolean = false }
  node work { kind model model "default" prompt "Do it" output { text: string, ok: boolean } writes { ${writes} } next count }
  node count { kind set set { out: "x" } routes { when ${exit} -> END else -> work } }
}
`;
    const { code, report } = await simulateJson("model-loop-stuck.rag", loop("state.n >= 3", "out: result.text"));
    expect(code).toBe(1);
    expect(report.paths.every((p) => p.status === "error")).toBe(true);
    expect(report.loops).toEqual([{ kind: "unbounded", nodes: ["work", "count"], ignoredChoice: "lp1.work", path: 0 }]);
    expect(report.errors[0].message).toContain("exits on conditions no choice in it can change (`lp1.work`'s answers do not reach them)");
    expect(report.violations.map((v) => v.assertion)).toContain("rag:assert ends_within 12");
    // The same loop whose exit reads what the model answers is the model's to exit.
    const chosen = await simulateJson("model-loop-chosen.rag", loop("state.ok", "out: result.text, ok: result.ok"));
    expect(chosen.code).toBe(0);
    expect(chosen.report.loops).toContainEqual(expect.objectContaining({ kind: "choice", by: "model", site: "lp1.work" }));
  });

  it("--max-paths bounds the exploration and the report says so", async () => {
    const file = join(dir, "bounded-search.rag");
    writeFileSync(file, support);
    const r = await ragIn(["simulate", file, "--registry", askRegistry, "--max-paths", "2", "--json"], dir);
    const report = JSON.parse(r.stdout) as SimReport;
    expect(report.paths).toHaveLength(2);
    expect(report.truncated).toBe(true);
    const bad = await ragIn(["simulate", file, "--registry", askRegistry, "--max-paths", "0"], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--max-paths must be an integer from 1 to 10000, not 0");
  });

  it("human text: the loop, the paths and the longest path", async () => {
    const file = join(dir, "counter-text.rag");
    writeFileSync(file, counter("state.n + 1"));
    const r = await ragIn(["simulate", file, "--registry", autoRegistry], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("#0  6 supersteps: tick → check → tick → check → tick → check → END");
    expect(r.stdout).toContain("tick → check: bounded by the graph, followed to its bound (at most 3 runs of a node on one path)");
    expect(r.stdout).toContain("✓ line 1: rag:assert ends_within 12");
  });
});

describe("rag simulate: approvals", () => {
  it("finds the path on which `refund` runs without an approval of that call (exit 1)", async () => {
    const { code, report } = await simulateJson("unapproved.rag", support, autoRegistry);
    expect(code).toBe(1);
    expect(report.violations.every((x) => x.assertion === 'rag:assert approval ["refund"]' && x.line === 1)).toBe(true);
    const v = report.violations.find((x) => x.message === "tool `refund` ran without an approval of that call (node `tools`, superstep 2)")!;
    expect(v).toBeDefined();
    const path = report.paths[v.path];
    expect(path.calls.find((c) => c.name === "refund")).toMatchObject({ kind: "tool", node: "tools", approved: false });
    // The paths that never call refund are fine.
    expect(report.violations.every((x) => report.paths[x.path].calls.some((c) => c.name === "refund"))).toBe(true);
  });

  it("with `approval: ask` every refund runs after a person approved it; the denial is explored too (exit 0)", async () => {
    const { code, report } = await simulateJson("approved.rag", support, askRegistry);
    expect(code).toBe(0);
    expect(report.violations).toEqual([]);
    const refunds = report.paths.flatMap((p) => p.calls.filter((c) => c.name === "refund"));
    expect(refunds.length).toBeGreaterThan(0);
    expect(refunds.every((c) => c.approved)).toBe(true);
    expect(report.paths.some((p) => p.status === "end" && p.choices.includes("approve:refund@tools: deny") && !p.calls.some((c) => c.name === "refund"))).toBe(true);
  });
});

describe("rag simulate: generated data, interrupts, assertions", () => {
  it("explores both outcomes of a `when` over a model's generated structured output", async () => {
    const { code, report } = await simulateJson("score.rag", `graph score {
  start rate
  state { score: number }
  node rate { kind model model "default" prompt "Rate it" output { score: number } writes { score: result.score } next gate }
  node gate { kind router routes { when state.score > 0.8 -> publish  else -> revise } }
  node publish { kind set set { score: 1 } next END }
  node revise { kind set set { score: 0 } next END }
}
`);
    expect(code).toBe(0);
    const last = report.paths.map((p) => p.steps.at(-1)?.[0]);
    expect(new Set(last)).toEqual(new Set(["publish", "revise"]));
  });

  it("generates outputs within their ranges and patterns, so a constrained graph simulates clean", async () => {
    const { code, report } = await simulateJson("constrained.rag", `graph tag {
  start rate
  state { score: number(0..1), code: string(/^[A-Z]{3}-\\d{2}$/) }
  node rate { kind model model "default" prompt "Tag it" output { score: number(0..1), code: string(/^[A-Z]{3}-\\d{2}$/) } writes { score: result.score, code: result.code } next END }
}
`);
    expect(report.errors).toEqual([]);
    expect(code).toBe(0);
  });

  it("explores every option of an interrupt node; a person's loop is reported as such", async () => {
    const { report } = await simulateJson("review.rag", `graph review {
  start draft
  state { v: integer = 0 }
  node draft { kind set set { v: state.v + 1 } next ask }
  node ask { kind interrupt options ["approve", "revise", "reject"] routes { approve -> END  revise -> draft  reject -> discard } }
  node discard { kind set set { v: 0 } next END }
}
`);
    expect(report.paths.filter((p) => p.status === "end").map((p) => p.choices)).toEqual(expect.arrayContaining([["review.ask: approve"], ["review.ask: reject"], ["review.ask: revise", "review.ask: approve"]]));
    expect(report.loops).toContainEqual(expect.objectContaining({ kind: "choice", by: "human", site: "review.ask", superstepsPerTurn: 2 }));
  });


  it("answers an interrupt with `resume { … }` by a value of that type (with `choice` when it has options), and explores its `when`s", async () => {
    const { code, report } = await simulateJson("typed-resume.rag", `graph edit {
  start write
  state { draft: string, rounds: integer sum = 0 }
  node write { kind set set { draft: "x", rounds: 1 } next review }
  node review {
    kind interrupt
    resume { text: string, decision: "accept" | "redraft" }
    writes { draft: result.text }
    routes { when result.decision == "accept" -> pick  when state.rounds >= 3 -> END  else -> write }
  }
  node pick {
    kind interrupt
    options ["yes", "no"]
    resume { note: string }
    routes { yes -> END  no -> END }
  }
}
`);
    expect(report.errors).toEqual([]);
    expect(code).toBe(0);
    expect(report.paths.every((p) => p.status === "end")).toBe(true);
    expect(new Set(report.paths.map((p) => p.steps.flat().filter((n) => n === "review").length))).toEqual(new Set([1, 2, 3]));
    expect(report.paths.some((p) => p.steps.flat().includes("pick"))).toBe(true);
  });
  it("`ends_within N` fails when a path the graph controls is longer", async () => {
    const { code, report } = await simulateJson("long.rag", `// rag:assert ends_within 2
graph long { start a node a { kind set next b } node b { kind set next c } node c { kind set next END } }
`);
    expect(code).toBe(1);
    expect(report.violations).toEqual([{ assertion: "rag:assert ends_within 2", line: 1, path: 0, message: "path 0 takes 3 supersteps (more than 2)" }]);
  });

  it("a malformed assertion is a usage error naming file:line:col (exit 2); a compile error prints diagnostics (exit 2)", async () => {
    const file = join(dir, "bad.rag");
    writeFileSync(file, `graph g { start a\n  // rag:assert never_runs ["x"]\n node a { kind set next END } }\n`);
    const r = await ragIn(["simulate", file, "--registry", autoRegistry], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("bad.rag:2:3: unknown assertion `never_runs`");
    writeFileSync(file, `graph g { start a node a { kind model model "nope" next END } }\n`);
    const c = await ragIn(["simulate", file, "--registry", autoRegistry], dir);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain("E-rag-unknown-model");
  });

  it("a registry graph known only by its signature returns generated output; a handled tool failure is explored", async () => {
    const snapshot = join(dir, "graphs.json");
    writeFileSync(snapshot, JSON.stringify({
      version: 1,
      models: ["default"],
      tools: ["charge"],
      graphs: ["summarize"],
      signatures: {
        tools: { charge: { args: { type: "object", properties: { amount: { type: "number" } }, required: ["amount"] }, read_only: false, approval: "auto" } },
        graphs: { summarize: { output: { type: "object", properties: { summary: { type: "string" }, ok: { type: "boolean" } }, required: ["summary", "ok"] } } },
      },
    }));
    const { code, report } = await simulateJson("pay.rag", `graph pay {
  start charge
  state { receipt: any  s: any  ok: boolean? }
  node charge { kind tool tool "charge" input { amount: 5 } writes receipt on_error -> sorry next sum }
  node sum { kind subgraph graph "summarize" input { text: "x" } writes { s: result.summary, ok: result.ok } next gate }
  node gate { kind router routes { when state.ok -> END  else -> sorry } }
  node sorry { kind set set { receipt: "failed" } next END }
}
`, snapshot);
    expect(code).toBe(0);
    expect(report.paths.map((p) => p.steps.map((s) => s.join("+")).join(" "))).toEqual(["charge sum gate", "charge sorry", "charge sum gate sorry"]);
    // Breadth first: the alternative of the first choice (the tool failing) comes before the later ones.
    expect(report.paths[1].choices).toEqual(["fail:tool.charge@charge: fail"]);
    expect(report.paths[0].calls.map((c) => `${c.kind} ${c.name}`)).toEqual(["tool charge", "graph summarize"]);
  });

  it("a branch of a fan-out whose join waits for the first branch is also tried failing", async () => {
    const { report } = await simulateJson("fan.rag", `graph fan {
  start split
  state { items: list<string> = ["a", "b"]  out: list<string> append }
  node split { kind set send [worker { x: x } for x in state.items -> out] join reduce wait first }
  node worker { kind model model "default" prompt "do {{ args.x }}" }
  node reduce { kind set next END }
}
`);
    expect(report.paths[0]).toMatchObject({ status: "end", steps: [["split"], ["worker", "worker"], ["reduce"]] });
    // Whatever the runtime makes of the failed branch, the path is explored and is not a simulate error.
    expect(report.paths.some((p) => p.choices.includes("fail:fan.worker: fail") && (p.status === "end" || p.status === "failed"))).toBe(true);
    expect(report.errors).toEqual([]);
  });

  it("approvals inside a subgraph called twice: each call needs its own approval", async () => {
    const source = `// rag:assert approval ["refund"]
graph outer {
  start call
  state { n: integer = 0 }
  node call { kind subgraph graph "inner" next count }
  node count { kind set set { n: state.n + 1 } next check }
  node check { kind router routes { when state.n >= 2 -> END  else -> call } }
}
graph inner {
  start pay
  state { r: any }
  node pay { kind tool tool "refund" input { order: "1", amount: 2 } writes r next END }
}
`;
    const asked = await simulateJson("twice-ask.rag", source, askRegistry);
    expect(asked.report.violations).toEqual([]);
    const both = asked.report.paths.find((p) => p.choices.join() === "approve:refund@pay: approve ×2")!;
    expect(both).toMatchObject({ status: "end" });
    expect(both.calls.filter((c) => c.name === "refund").map((c) => c.approved)).toEqual([true, true]);
    expect(asked.report.paths.find((p) => p.choices.join() === "approve:refund@pay: approve,approve:refund@pay: deny")).toMatchObject({ status: "declined" });
    const auto = await simulateJson("twice-auto.rag", source, autoRegistry);
    expect(auto.code).toBe(1);
    expect(auto.report.paths[0].calls.filter((c) => c.name === "refund").map((c) => [c.depth, c.approved])).toEqual([[1, false], [1, false]]);
  });
});

