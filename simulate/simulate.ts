/**
 * `simulate(source, options)`: runs a graph with no real calls (issue 15 §5). The file
 * is compiled by the real compiler against the simulation registry (registry.ts), the
 * graph runs on the real runtime, and every choice a run depends on — each model reply
 * (route label, tool call or final answer, data variant), route function, human answer,
 * injected failure, input variant — is enumerated breadth first, one fresh run per
 * path (choices.ts), until every alternative was tried or the bounds are reached. The report
 * lists each distinct path with its supersteps and capability calls, the longest one,
 * the loops (bounded by the graph, or exited only by a model's or a person's choice),
 * runtime errors, paths whose generated data missed a constraint where it was used
 * ("input-dependent": generated input meets a tool argument's `format` or `attach`'s URL
 * when it flows there directly, generate.ts), and the `// rag:assert` assertions violated (assertions.ts).
 */
import { compileGraph, fieldsSchema, type Blueprint, type RegistrySnapshot } from "../compiler/index.js";
import type { Diagnostic } from "../grammar/diagnostic.js";
import type { LineIndex } from "../grammar/span.js";
import type { Registry } from "../registry/index.js";
import { CompiledGraph, MemoryCheckpointer } from "../runtime/index.js";
import { parseAssertions, type Assertion } from "./assertions.js";
import { branchPrefixes, ChoiceTrail, type ChoiceBy } from "./choices.js";
import { SimContext } from "./context.js";
import { constrainInput, generateVariants, inputConstraints, literalHints } from "./generate.js";
import { exitDependsOnChoice } from "./loop-exits.js";
import { simulationRegistry } from "./registry.js";
import { runOnce, type RunTrace, type SimCall } from "./run-once.js";

export interface SimulateOptions {
  /** The registry's names and shapes (`rag registry export`, or `exportRegistry(registry)`). */
  readonly snapshot: RegistrySnapshot;
  /** The real registry, when there is one: its graphs (blueprints) and reducer functions are used; nothing of it is called otherwise. */
  readonly real?: Registry;
  readonly file?: string;
  /** Graph to simulate (default: the first of the file). */
  readonly graph?: string;
  /** Distinct paths to report before stopping (default 64). */
  readonly maxPaths?: number;
  /** Runs to try before stopping (default 8 × maxPaths). */
  readonly maxRuns?: number;
  /** Visits of one choice site per run that still branch; later visits repeat the previous answer (default 2). */
  readonly turns?: number;
  /** Failures injected per run, where the graph handles them (`on_error`, `optional`) (default 1). */
  readonly failures?: number;
  /** Supersteps over all runs (default and most `MAX_SIMULATED_SUPERSTEPS`). */
  readonly maxSupersteps?: number;
}

/** One distinct path: how it ended, its supersteps and capability calls. */
export interface SimPath {
  readonly id: number;
  /**
   * `end`: reached END; `declined`: stopped by a person's denial; `failed`: ended by an injected failure or a node's `max_steps`;
   * `choice_loop`: cut in a loop only a choice exits; `input_dependent`: generated data failed a constraint where it was used
   * (a tool argument's schema, `attach` wanting a URL) that a real input may meet — not an error; `error`: a runtime error; `paused`: still pausing.
   */
  readonly status: "end" | "declined" | "failed" | "choice_loop" | "input_dependent" | "error" | "paused";
  readonly supersteps: number;
  /** Root supersteps: the nodes run in each. */
  readonly steps: readonly (readonly string[])[];
  readonly calls: readonly SimCall[];
  /** The choices that made this path (`site: label`), forced repeats marked `(again)`. */
  readonly choices: readonly string[];
  readonly error?: string;
}

/** A loop the simulation found. */
export interface SimLoop {
  /** `bounded`: the graph ends it (followed to its bound); `choice`: only a model's / person's / route function's choice exits it; `unbounded`: the graph claims a bound (no choice in it) but it ran to the recursion limit. */
  readonly kind: "bounded" | "choice" | "unbounded";
  readonly nodes: readonly string[];
  /** Who chooses to exit (`choice` loops). */
  readonly by?: ChoiceBy;
  readonly site?: string;
  /** Supersteps one turn around the loop costs. */
  readonly superstepsPerTurn?: number;
  /** A `bounded` loop whose bound fails the node (an agent's `max_steps`) instead of leaving the loop. */
  readonly endsInFailure?: boolean;
  /** An `unbounded` loop's repeated choice (its site) whose answers cannot change how the loop is left. */
  readonly ignoredChoice?: string;
  /** Most times a node of the loop ran on one path (`bounded` loops). */
  readonly maxIterations?: number;
  /** A path that shows it. */
  readonly path: number;
}

export interface SimViolation {
  readonly assertion: string;
  /** 1-based line of the pragma. */
  readonly line: number;
  readonly message: string;
  readonly path: number;
}

export interface SimReport {
  readonly graph: string;
  readonly hash: string;
  readonly paths: readonly SimPath[];
  /** Id of the longest path that ends (END, declined or failed), if any. */
  readonly longest?: number;
  readonly loops: readonly SimLoop[];
  readonly assertions: readonly Assertion[];
  readonly violations: readonly SimViolation[];
  /** Paths with runtime errors (including unbounded loops). */
  readonly errors: readonly { readonly path: number; readonly message: string }[];
  readonly runs: number;
  /** True when the bounds stopped exploration before every alternative was tried. */
  readonly truncated: boolean;
  /** Set when the simulation's superstep bound (`MAX_SIMULATED_SUPERSTEPS`) is what stopped it. */
  readonly superstepsSpent?: number;
  /** The superstep bound that stopped it (with `superstepsSpent`). */
  readonly superstepBound?: number;
  /** No runtime error, no unbounded loop, no violated assertion. */
  readonly ok: boolean;
}

/**
 * Supersteps one simulation runs at most, over all its runs. A run starts only while its
 * recursion limit still fits (charged before the run, settled to what it took after):
 * maxRuns × recursion_limit alone let a seven-line file (two 8-option interrupts before a
 * 10,000-step counter loop) run 640,000 supersteps (30 s), and `--max-paths 10000` 800
 * million. About 10 s of simulation on a laptop.
 */
export const MAX_SIMULATED_SUPERSTEPS = 200_000;

export interface SimulateResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly lines: LineIndex;
  /** Absent when the file does not compile. */
  readonly report?: SimReport;
}

/**
 * Simulates `source`. Compile errors come back as diagnostics (no report).
 * @throws AssertionSyntaxError for a `// rag:assert` line that does not parse.
 */
export async function simulate(source: string, options: SimulateOptions): Promise<SimulateResult> {
  const ctx = new SimContext();
  const registry = simulationRegistry(options.snapshot, ctx, options.real);
  const c = compileGraph(source, { registry: registry.view(), ...(options.file !== undefined ? { file: options.file } : {}), ...(options.graph !== undefined ? { graph: options.graph } : {}) });
  const lines = c.compilation.lines;
  const bp = c.value;
  if (!bp || c.diagnostics.some((d) => d.severity === "error")) return { diagnostics: c.diagnostics, lines };
  const assertions = parseAssertions(c.compilation.program.comments, lines);
  const fileGraphs = new Map(c.compilation.blueprints.map((b) => [b.id, b] as const));
  for (const b of [...fileGraphs.values(), ...registry.graphs.values()]) ctx.graphs.set(b.id, b);
  ctx.hints = literalHints([...ctx.graphs.values()]);
  // A simulation makes no real call: review gates (which guard real runs) are satisfied here.
  for (const b of fileGraphs.values()) registry.approvals.approve(b, { approvedBy: "rag simulate" });
  const checkpointer = new MemoryCheckpointer();
  const graph = new CompiledGraph(bp, { registry, graphs: fileGraphs, checkpointer });
  // Generated input meets the constraints of where it flows (a tool argument's format, `attach`'s URL).
  const flows = inputConstraints([bp], new Set((bp.input ?? []).map((f) => f.name)), (t) => options.snapshot.signatures?.tools?.[t]?.args);
  const inputs = bp.input?.length ? generateVariants(constrainInput(fieldsSchema(bp.input, bp.schemas), flows), ctx.hints, "input") : [{}];

  const limit = typeof bp.defaults.recursion_limit === "number" ? bp.defaults.recursion_limit : 100;
  const maxPaths = options.maxPaths ?? 64;
  const maxRuns = options.maxRuns ?? maxPaths * 8;
  const traces: RunTrace[] = [];
  const queue: number[][] = [[]];
  const maxSteps = Math.min(options.maxSupersteps ?? MAX_SIMULATED_SUPERSTEPS, MAX_SIMULATED_SUPERSTEPS);
  let runs = 0;
  let spent = 0;
  let outOfSteps = false;
  const seen = new Set<string>();
  while (queue.length && runs < maxRuns && seen.size < maxPaths) {
    if (runs > 0 && spent + limit > maxSteps) {
      outOfSteps = true;
      break;
    }
    const prefix = queue.shift()!;
    const trail = new ChoiceTrail(prefix, options.turns ?? 2, options.failures ?? 1);
    ctx.trail = trail;
    const i = trail.choose("input", "input", "input", inputs.map((_, k) => `input #${k + 1}`));
    const input = (inputs[i] && typeof inputs[i] === "object" && !Array.isArray(inputs[i]) ? inputs[i] : {}) as Record<string, unknown>;
    const t = await runOnce(graph, input, `sim-${runs}`, trail, limit, ctx.hints);
    // A finished run's checkpoints are not read again: every run kept its thread, so 64
    // paths of a 10,000-step loop held 640,000 checkpoints (1.6 GB) at once.
    await checkpointer.deleteThread(`sim-${runs}`);
    spent += Math.min(limit, t.steps.length);
    runs++;
    const sig = JSON.stringify([t.steps, t.calls.map((x) => [x.kind, x.name, x.node, x.approved]), t.end.kind]);
    if (!seen.has(sig)) {
      seen.add(sig);
      traces.push(t);
    }
    queue.push(...branchPrefixes(trail.branchable, prefix.length));
  }
  const report = analyse(bp, traces, assertions, runs, queue.length > 0);
  return { diagnostics: c.diagnostics, lines, report: outOfSteps ? { ...report, superstepsSpent: spent, superstepBound: maxSteps } : report };
}

function analyse(bp: Blueprint, traces: readonly RunTrace[], assertions: readonly Assertion[], runs: number, truncated: boolean): SimReport {
  const paths: SimPath[] = [];
  const loops: SimLoop[] = [];
  const errors: { path: number; message: string }[] = [];
  const choiceSites = new Set<string>();
  traces.forEach((t, id) => {
    const choices = compress(t.choices.filter((c) => c.of > 1).map((c) => `${c.site}: ${c.label}${c.forced ? " (again)" : ""}`));
    const base = { id, supersteps: t.steps.length, steps: t.steps, calls: t.calls, choices };
    if (t.end.kind === "end") return paths.push({ ...base, status: "end" });
    if (t.end.kind === "paused") return paths.push({ ...base, status: "paused", error: t.end.reason });
    const message = String(t.end.error.message ?? "error");
    if (t.end.recursion) {
      const loop = classifyLoop(bp, t, id);
      loops.push(loop);
      if (loop.kind === "choice") {
        choiceSites.add(loop.site!);
        return paths.push({ ...base, status: "choice_loop" });
      }
      const why = loop.ignoredChoice ? `exits on conditions no choice in it can change (\`${loop.ignoredChoice}\`'s answers do not reach them)` : "has no choice in it";
      const msg = `the loop through ${loop.nodes.map((n) => `\`${n}\``).join(", ")} ${why}, so the graph must end it, but it ran to the recursion limit (${t.steps.length} supersteps): its exit condition never became true`;
      errors.push({ path: id, message: msg });
      return paths.push({ ...base, status: "error", error: msg });
    }
    const chose = (by: ChoiceBy, label: (l: string) => boolean) => t.choices.some((c) => c.by === by && label(c.label));
    if (chose("human", (l) => l === "deny") && /was not run|declined/.test(message)) return paths.push({ ...base, status: "declined", error: message });
    if (chose("failure", (l) => l === "fail") && /simulated failure/.test(message)) return paths.push({ ...base, status: "failed", error: message });
    // An agent's own tool loop that the model keeps going: the node's `max_steps` ends it, failing the node.
    if (t.choices.some((c) => c.by === "model") && /\(max_steps\)/.test(message)) {
      const node = typeof t.end.error.node === "string" ? t.end.error.node : undefined;
      loops.push({ kind: "bounded", nodes: node ? [node] : [], by: "model", endsInFailure: true, path: id });
      return paths.push({ ...base, status: "failed", error: message });
    }
    // Literal arguments are checked by the compiler: a value that fails here was computed from generated data.
    if (INPUT_DEPENDENT.test(message)) return paths.push({ ...base, status: "input_dependent", error: message });
    errors.push({ path: id, message });
    return paths.push({ ...base, status: "error", error: message });
  });
  loops.push(...boundedLoops(traces, loops));
  const ending = paths.filter((p) => p.status === "end" || p.status === "declined" || p.status === "failed");
  const longest = ending.reduce<SimPath | undefined>((a, p) => (!a || p.supersteps > a.supersteps ? p : a), undefined);
  const violations = checkAssertions(assertions, paths, traces, choiceSites);
  return {
    graph: bp.id,
    hash: bp.hash,
    paths,
    ...(longest ? { longest: longest.id } : {}),
    loops: dedupeLoops(loops),
    assertions,
    violations,
    errors,
    runs,
    truncated,
    ok: errors.length === 0 && violations.length === 0,
  };
}

/** Runtime errors of a constraint on a value where it is used, which generated data may miss and real data meet. */
const INPUT_DEPENDENT = /^arguments for tool `[^`]+` do not match its schema:|\battach (?:image|file) \(part \d+\): (?:expected an http\(s\) URL|an object part is)/;

/** Runs of one repeated choice as `… ×N`. */
function compress(xs: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j < xs.length && xs[j] === xs[i]) j++;
    out.push(j - i > 1 ? `${xs[i]} ×${j - i}` : xs[i]);
    i = j;
  }
  return out;
}

/**
 * A run that hit the recursion limit: a choice kept repeating in its last turns and can
 * change how the loop is left (loop-exits.ts), or no choice at all — or only choices whose
 * answers never reach the loop's exit conditions, which the graph must then end itself.
 */
function classifyLoop(bp: Blueprint, t: RunTrace, path: number): SimLoop {
  const last = t.steps.length;
  const window = Math.max(4, Math.floor(last / 3));
  const forced = [...t.choices].reverse().find((c) => c.forced && c.step >= last - window);
  const tail = t.steps.slice(last - window).flat();
  if (forced) {
    const at = t.choices.filter((c) => c.site === forced.site).map((c) => c.step);
    const per = at.length >= 2 ? at[at.length - 1] - at[at.length - 2] : undefined;
    const nodes = per ? [...new Set(t.steps.slice(Math.max(0, at[at.length - 2] - 1), at[at.length - 1] - 1).flat())] : [...new Set(tail)];
    if (!exitDependsOnChoice(bp, nodes)) return { kind: "unbounded", nodes, ignoredChoice: forced.site, path };
    return { kind: "choice", nodes, by: forced.by, site: forced.site, ...(per ? { superstepsPerTurn: per } : {}), path };
  }
  return { kind: "unbounded", nodes: [...new Set(tail)], path };
}

/** Nodes that ran more than once on a path that ended by itself: loops the graph bounds. */
function boundedLoops(traces: readonly RunTrace[], found: readonly SimLoop[]): SimLoop[] {
  const inChoice = new Set(found.filter((l) => l.kind !== "bounded").flatMap((l) => l.nodes));
  const most = new Map<string, { n: number; path: number }>();
  traces.forEach((t, id) => {
    if (t.end.kind !== "end") return;
    const count = new Map<string, number>();
    for (const s of t.steps) for (const n of new Set(s)) count.set(n, (count.get(n) ?? 0) + 1);
    for (const [n, k] of count) if (k > 1 && !inChoice.has(n) && k > (most.get(n)?.n ?? 0)) most.set(n, { n: k, path: id });
  });
  const byCount = new Map<number, { nodes: string[]; path: number }>();
  for (const [node, { n, path }] of most) {
    const g = byCount.get(n) ?? { nodes: [], path };
    g.nodes.push(node);
    byCount.set(n, g);
  }
  return [...byCount].map(([n, g]) => ({ kind: "bounded" as const, nodes: g.nodes, maxIterations: n, path: g.path }));
}

function dedupeLoops(loops: readonly SimLoop[]): SimLoop[] {
  const seen = new Set<string>();
  return loops.filter((l) => {
    const k = `${l.kind}|${l.site ?? ""}|${[...l.nodes].sort().join(",")}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function checkAssertions(assertions: readonly Assertion[], paths: readonly SimPath[], traces: readonly RunTrace[], choiceSites: ReadonlySet<string>): SimViolation[] {
  const out: SimViolation[] = [];
  for (const a of assertions) {
    if (a.kind === "approval") {
      for (const p of paths) {
        const bad = p.calls.find((c) => c.kind === "tool" && a.tools.includes(c.name) && !c.approved);
        if (bad) out.push({ assertion: a.text, line: a.line, path: p.id, message: `tool \`${bad.name}\` ran without an approval of that call (node \`${bad.node}\`, superstep ${bad.step})` });
      }
    } else {
      for (const p of paths) {
        if (p.status === "choice_loop" || p.status === "paused") continue;
        // A path that goes around a loop only a choice exits is the chooser's, not the graph's.
        const visits = new Map<string, number>();
        for (const c of traces[p.id].choices) visits.set(c.site, (visits.get(c.site) ?? 0) + 1);
        if ([...choiceSites].some((s) => (visits.get(s) ?? 0) > 1)) continue;
        if (p.supersteps > a.supersteps) out.push({ assertion: a.text, line: a.line, path: p.id, message: `path ${p.id} takes ${p.supersteps} supersteps (more than ${a.supersteps})` });
      }
      for (const p of paths) if (p.status === "error" && /recursion limit/.test(p.error ?? "")) out.push({ assertion: a.text, line: a.line, path: p.id, message: `path ${p.id} never ends: ${p.error}` });
    }
  }
  return out;
}
