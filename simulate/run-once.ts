/**
 * One simulated run: invoke the compiled graph on the real runtime with generated
 * input, answer every interrupt from the choice trail (tool approvals, interrupt-node
 * options, `interrupt before|after` pauses) and resume until the run ends, recording
 * the supersteps, every capability call and every approval given.
 */
import { errorToJson, RecursionLimitError, type CompiledGraph, type PendingInterrupt, type RunEvent } from "../runtime/index.js";
import type { ChoiceRecord, ChoiceTrail } from "./choices.js";
import { generateVariants, type Hints } from "./generate.js";

/** A capability use seen on the run's event stream. */
export interface SimCall {
  /** Root superstep during which it happened. */
  readonly step: number;
  readonly kind: "model" | "tool" | "agent" | "graph";
  readonly name: string;
  /** The node that made it (of the graph at `depth`). */
  readonly node: string;
  readonly depth: number;
  /** Tools only: a person approved exactly this call before it ran. */
  readonly approved?: boolean;
}

/** How a run ended. */
export type RunEnd =
  | { readonly kind: "end"; readonly output: unknown }
  | { readonly kind: "error"; readonly error: Record<string, unknown>; readonly recursion: boolean }
  | { readonly kind: "paused"; readonly reason: string };

export interface RunTrace {
  /** Root supersteps in order: the nodes of each. */
  readonly steps: readonly (readonly string[])[];
  readonly calls: readonly SimCall[];
  readonly choices: readonly ChoiceRecord[];
  readonly end: RunEnd;
}

/** Most resumes of one run (a graph that keeps pausing is cut here). */
const MAX_RESUMES = 200;

/**
 * Runs `graph` once on thread `threadId`, driven by `trail`. `limit` bounds the
 * supersteps of the whole thread (each resume is a new invocation with its own limit in
 * the runtime; a loop through a pause would never reach it). Never throws for a run's failure.
 */
export async function runOnce(graph: CompiledGraph, input: Record<string, unknown>, threadId: string, trail: ChoiceTrail, limit: number, hints: Hints = { numbers: [], strings: [] }): Promise<RunTrace> {
  const steps = new Map<number, string[]>();
  const calls: SimCall[] = [];
  const approved = new Set<string>();
  const onEvent = (e: RunEvent) => {
    if (e.depth === 0 && e.type === "step_started") {
      steps.set(e.step, e.tasks.map((t) => t.node));
      trail.step = steps.size;
    }
    const at = { step: trail.step, node: e.node ?? "", depth: e.depth };
    if (e.type === "model_started") calls.push({ ...at, kind: "model", name: e.agent ? `${e.model} (agent ${e.agent})` : e.model });
    else if (e.type === "subrun_started") calls.push({ ...at, kind: e.targetKind, name: e.target });
    // Task ids are qualified by the parent's (`1.0/2.0`), so they name one task of the whole run tree.
    else if (e.type === "tool_started") calls.push({ ...at, kind: "tool", name: e.tool, approved: approved.has(e.callId !== undefined ? `${e.taskId}|${e.tool}|${e.callId}` : `${e.taskId}|${e.tool}`) });
  };
  const trace = (end: RunEnd): RunTrace => ({ steps: [...steps.keys()].sort((a, b) => a - b).map((k) => steps.get(k)!), calls, choices: trail.records, end });
  try {
    let res = await graph.invoke(input, { threadId, onEvent, recursionLimit: limit });
    for (let n = 0; res.status === "interrupted"; n++) {
      if (n >= MAX_RESUMES) return trace({ kind: "paused", reason: `still pausing after ${MAX_RESUMES} answers` });
      if (steps.size >= limit) throw new RecursionLimitError(limit, { graph: graph.blueprint.id });
      const values: Record<string, unknown> = Object.create(null);
      for (const i of res.interrupts) values[i.id] = answer(i, trail, approved, graph.blueprint.id, hints);
      res = await graph.resume(threadId, { values }, { onEvent, recursionLimit: limit - steps.size });
    }
    return trace({ kind: "end", output: res.output });
  } catch (e) {
    return trace({ kind: "error", error: errorToJson(e), recursion: e instanceof RecursionLimitError });
  }
}

/**
 * The simulated person's answer to one pending interrupt (recording approvals given).
 * An interrupt node with `resume { … }` gets a value of that type (one of its generated
 * variants, a choice like any other), with `choice` added when it also has options.
 */
function answer(i: PendingInterrupt, trail: ChoiceTrail, approved: Set<string>, root: string, hints: Hints): unknown {
  if (i.kind !== "node") return null;
  const p = (i.payload && typeof i.payload === "object" ? i.payload : {}) as { type?: unknown; tool?: unknown; callId?: unknown; options?: unknown; resume?: unknown };
  const options = Array.isArray(p.options) ? p.options.filter((o): o is string => typeof o === "string") : [];
  const key = `i:${i.namespace}:${i.id}`;
  if (p.type === "tool_approval" && typeof p.tool === "string" && options.length) {
    const choice = options[trail.choose(`approve:${p.tool}@${i.node}`, key, "human", options)];
    // A model's call is named by its call id; a `tool` node makes one call per task (its call id is the task's).
    if (choice.startsWith("approve")) approved.add(`${i.taskId}|${p.tool}|${String(p.callId)}`).add(`${i.taskId}|${p.tool}`);
    return choice;
  }
  const site = `${i.namespace || root}.${i.node}`;
  const choice = options.length ? options[trail.choose(site, key, "human", options)] : undefined;
  if (p.resume && typeof p.resume === "object" && !Array.isArray(p.resume)) {
    const variants = generateVariants(p.resume as Record<string, unknown>, hints, `${i.node}_answer`);
    const typed = variants[variants.length > 1 ? trail.choose(`${site}.resume`, `${key}:resume`, "human", variants.map((_, k) => `answer #${k + 1}`)) : 0];
    if (choice === undefined) return typed;
    return typed && typeof typed === "object" && !Array.isArray(typed) ? { ...typed, choice } : { choice };
  }
  return choice ?? "simulated answer";
}
