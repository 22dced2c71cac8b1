/**
 * The human rendering of a `rag simulate` report (simulate/), shared by `rag simulate`
 * and `rag author`'s review summary: the paths that end with their supersteps and
 * capability calls, the longest path, the loops, the assertions and the errors.
 */
import { MAX_SIMULATED_SUPERSTEPS, type SimCall, type SimPath, type SimReport } from "../simulate/index.js";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function stepsText(p: SimPath, max = 16): string {
  const parts = p.steps.map((s) => (s.length === 1 ? s[0] : `[${s.join(", ")}]`));
  const last = p.status === "end" ? "END" : p.status === "declined" ? "stop (declined)" : "stop (fails)";
  return parts.length > max ? `${parts.slice(0, max).join(" → ")} → … (${parts.length - max} more)` : [...parts, last].join(" → ");
}

function callsText(calls: readonly SimCall[], max = 12): string {
  const parts = calls.map((c) => `${c.kind} ${c.name}@${c.node}${c.kind === "tool" ? (c.approved ? " (approved)" : "") : ""}`);
  return parts.length > max ? `${parts.slice(0, max).join(", ")}, … (${parts.length - max} more)` : parts.join(", ") || "none";
}

/** The report as text lines (no trailing newline). `maxShown` bounds the listed paths (default: all). */
export function renderSimReport(r: SimReport, maxShown = Infinity): string {
  const out: string[] = [];
  const ending = r.paths.filter((p) => p.status === "end" || p.status === "declined" || p.status === "failed");
  const cut = r.paths.filter((p) => p.status === "choice_loop" || p.status === "paused");
  out.push(`simulate ${r.graph} (${r.hash.slice(0, 19)}…): ${plural(r.runs, "run")}, ${plural(r.paths.length, "distinct path")}${r.superstepsSpent !== undefined ? ` (bounds reached: not every alternative was tried; the simulation ran ${r.superstepsSpent} supersteps, and another run could pass its bound of ${r.superstepBound ?? MAX_SIMULATED_SUPERSTEPS})` : r.truncated ? " (bounds reached: not every alternative was tried; raise --max-paths)" : ""}`);
  out.push(`paths that end (${ending.length}):`);
  for (const p of ending.slice(0, maxShown)) {
    const how = p.status === "end" ? "" : p.status === "declined" ? " [a person declined]" : ` [fails: ${p.error ?? "failure"}]`;
    out.push(`  #${p.id}  ${plural(p.supersteps, "superstep")}${how}: ${stepsText(p)}`);
    out.push(`        calls: ${callsText(p.calls)}`);
  }
  if (ending.length > maxShown) out.push(`  … ${ending.length - maxShown} more (--json lists every path)`);
  if (r.longest !== undefined) {
    const l = r.paths[r.longest];
    out.push(`longest: #${l.id}, ${plural(l.supersteps, "superstep")}`);
  }
  const dependent = r.paths.filter((p) => p.status === "input_dependent");
  if (dependent.length) out.push(`input-dependent (${dependent.length}): generated data failed a constraint where it is used; a real input may meet it`);
  for (const p of dependent.slice(0, maxShown)) out.push(`  #${p.id}  ${stepsText(p)}: ${p.error ?? ""}`);
  if (cut.length) out.push(`cut in loops only a choice exits: ${plural(cut.length, "path")} (--json lists them)`);
  if (r.loops.length) out.push("loops:");
  for (const l of r.loops) {
    const nodes = l.nodes.join(" → ");
    if (l.kind === "bounded" && l.endsInFailure) out.push(`  ${nodes}: the model may keep calling tools; the node's max_steps ends it and the node fails (path #${l.path})`);
    else if (l.kind === "bounded") out.push(`  ${nodes}: bounded by the graph, followed to its bound (at most ${l.maxIterations} runs of a node on one path)`);
    else if (l.kind === "choice") out.push(`  ${nodes}: only ${l.by === "human" ? "a person's choice" : l.by === "router" ? "a route function's choice" : l.by === "tool" ? "what a tool returns" : "the model's choice"} exits it (${l.site})${l.superstepsPerTurn ? `; one turn costs ${plural(l.superstepsPerTurn, "superstep")}` : ""}`);
    else if (l.ignoredChoice) out.push(`  ${nodes}: NOT bounded: no choice in it can change its exit (${l.ignoredChoice} repeats, to no effect), yet it ran to the recursion limit (path #${l.path})`);
    else out.push(`  ${nodes}: NOT bounded: no choice in it, yet it ran to the recursion limit (path #${l.path})`);
  }
  if (r.assertions.length) out.push("assertions:");
  for (const a of r.assertions) {
    const bad = r.violations.filter((v) => v.line === a.line);
    out.push(`  ${bad.length ? "✗" : "✓"} line ${a.line}: ${a.text}`);
    for (const v of bad.slice(0, 5)) out.push(`      path #${v.path}: ${v.message}`);
    if (bad.length > 5) out.push(`      … ${bad.length - 5} more`);
  }
  for (const e of r.errors.slice(0, 10)) out.push(`error on path #${e.path}: ${e.message}`);
  out.push(r.ok ? "ok" : `failed: ${plural(r.errors.length, "runtime error")}, ${plural(r.violations.length, "violated assertion")}`);
  return out.join("\n");
}
