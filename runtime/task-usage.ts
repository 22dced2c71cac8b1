/**
 * What a task's completion record keeps of its cost (`runtime.md` §2, pending writes):
 * its duration and, when it called models, each call's model, tokens, cost and latency —
 * so a thread's timeline drawn from its checkpoints, long after the run and its events
 * are gone, shows what each task took (the studio's thread picker; the run's own
 * `model_completed` and `task_completed` events carry the same figures live).
 *
 * Kept small and bounded: no prompts, no replies; at most `MAX_LISTED_CALLS` calls listed
 * per task (the rest counted in the totals and `callCount`); a model name cut to
 * `MAX_MODEL_NAME` characters. A task that made no model call adds one number (`ms`).
 * A task's calls are its node's and its agent loop's and, for a task that runs a child
 * run (a subgraph node, a graph send target), every call the child run's tasks make in
 * this process (marked with the child's `graph`; each child task's record keeps its own
 * too). Calls of a child's branches run by other workers (`distribute: branches`), and
 * those the child made before a pause, are in the child's records only.
 */
import { z } from "zod";
import { isSpendCount, type ModelAsk, type Usage } from "../registry/index.js";
import { SPECIAL, type PendingWriteRecord } from "./checkpoint/types.js";

/** Most model calls listed one by one in a task's record. */
export const MAX_LISTED_CALLS = 20;
/** Longest model name kept, characters. */
export const MAX_MODEL_NAME = 120;

/** One model call of a task, as its record keeps it. */
export interface ModelCallFact {
  /** The model's registered name. */
  readonly model: string;
  /** The agent the call was made for, when an agent loop made it. */
  readonly agent?: string;
  /** The graph of the child run whose task made the call, when it is counted on the task that ran that child (a subgraph node, a graph send target). */
  readonly graph?: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Cost, USD, when the model is priced or the provider reported it. */
  readonly costUsd?: number;
  /** Wall time of the call, ms (the run's clock). */
  readonly durationMs: number;
  /** Answered from the response cache. */
  readonly cached?: true;
}

/** A task's model calls: totals over every call, and the first `MAX_LISTED_CALLS` calls. */
export interface TaskUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Total cost, USD, of the calls that reported one; absent when none did. */
  readonly costUsd?: number;
  /** How many calls were made (more than `calls.length` when some were left out). */
  readonly callCount: number;
  readonly calls: readonly ModelCallFact[];
}

const figure = z.number().finite().nonnegative();

/**
 * A `ModelCallFact` as data from outside this process is checked (a stored record, a
 * branch job's reply from Redis): counts ≥ 0 and finite, names within `MAX_MODEL_NAME`,
 * no other keys.
 */
export const ModelCallFactSchema = z.strictObject({
  model: z.string().max(MAX_MODEL_NAME),
  agent: z.string().max(MAX_MODEL_NAME).optional(),
  graph: z.string().max(MAX_MODEL_NAME).optional(),
  inputTokens: figure,
  outputTokens: figure,
  costUsd: figure.optional(),
  durationMs: figure,
  cached: z.literal(true).optional(),
});

/** A `TaskUsage` as data from outside this process is checked: `ModelCallFactSchema` calls, at most `MAX_LISTED_CALLS`, a whole `callCount`. */
export const TaskUsageSchema = z.strictObject({
  inputTokens: figure,
  outputTokens: figure,
  costUsd: figure.optional(),
  callCount: z.number().int().finite().nonnegative(),
  calls: z.array(ModelCallFactSchema).max(MAX_LISTED_CALLS),
});

/** Where a task's calls are counted: one per task (its attempts share it), the usage made on the first call. */
export interface UsageSink {
  usage?: { inputTokens: number; outputTokens: number; costUsd?: number; callCount: number; calls: ModelCallFact[] };
  /** The task's model replies with tool calls, by assistant message id (`ModelAsk`, `model-asks.ts`): saved with its completion record. */
  asks?: Record<string, ModelAsk>;
}

/** Records who asked for the calls of assistant message `id` (`ModelAsk`) on the task `sink` belongs to. */
export function recordAsk(sink: UsageSink, id: string, ask: ModelAsk): void {
  (sink.asks ??= Object.create(null) as Record<string, ModelAsk>)[id] = ask;
}

/**
 * Counts one model call of the task `sink` belongs to; `graph`: the child run's graph,
 * when the call is counted on a task that ran a child run which made it.
 */
export function addModelCall(sink: UsageSink, model: string, usage: Usage, durationMs: number, agent: string | undefined, cached: boolean, graph?: string): void {
  const u = (sink.usage ??= { inputTokens: 0, outputTokens: 0, callCount: 0, calls: [] });
  const input = count(usage.inputTokens);
  const output = count(usage.outputTokens);
  const cost = isCount(usage.costUsd) ? usage.costUsd : undefined;
  u.inputTokens += input;
  u.outputTokens += output;
  if (cost !== undefined) u.costUsd = (u.costUsd ?? 0) + cost;
  u.callCount++;
  if (u.calls.length >= MAX_LISTED_CALLS) return;
  const fact: { -readonly [K in keyof ModelCallFact]: ModelCallFact[K] } = { model: model.slice(0, MAX_MODEL_NAME), inputTokens: input, outputTokens: output, durationMs: Math.round(count(durationMs)) };
  if (agent) fact.agent = agent.slice(0, MAX_MODEL_NAME);
  if (graph) fact.graph = graph.slice(0, MAX_MODEL_NAME);
  if (cost !== undefined) fact.costUsd = cost;
  if (cached) fact.cached = true;
  u.calls.push(fact);
}

/**
 * The usage counted on `sink` so far, as a copy: an attempt abandoned at its timeout may
 * still call a model afterwards, which must not change an outcome already saved.
 */
export function usageOf(sink: UsageSink): TaskUsage | undefined {
  const u = sink.usage;
  if (!u) return undefined;
  const out: { -readonly [K in keyof TaskUsage]: TaskUsage[K] } = { inputTokens: u.inputTokens, outputTokens: u.outputTokens, callCount: u.callCount, calls: u.calls.slice() };
  if (u.costUsd !== undefined) out.costUsd = u.costUsd;
  return out;
}

/** What a task's record says of its cost, as the API shows it. */
export interface TaskFacts {
  /** How long the task ran, ms (its attempts and retry waits included). */
  readonly durationMs?: number;
  /** Its model calls; absent when it made none. */
  readonly usage?: TaskUsage;
}

/**
 * The cost facts of the tasks whose completion records (`__task__`) pending on a
 * checkpoint carry them, by task id. Records saved before these facts were kept (or by a
 * task that failed the run, whose record is its error) have none: those tasks are absent.
 * What is read is checked, not trusted: a figure that is not a count is dropped, lists
 * are cut to their bounds.
 */
export function taskFacts(pendingWrites: readonly PendingWriteRecord[]): Map<string, TaskFacts> {
  const out = new Map<string, TaskFacts>();
  for (const w of pendingWrites) {
    if (w.channel !== SPECIAL.task || w.value === null || typeof w.value !== "object") continue;
    const d = w.value as { ms?: unknown; usage?: unknown };
    const facts: { durationMs?: number; usage?: TaskUsage } = {};
    if (isCount(d.ms)) facts.durationMs = d.ms;
    const usage = readUsage(d.usage);
    if (usage) facts.usage = usage;
    if (facts.durationMs !== undefined || facts.usage) out.set(w.taskId, facts);
  }
  return out;
}

/**
 * Usage read from a stored record, leniently (what it holds is kept where it can be: a
 * call that is not of the shape is skipped, names and the list cut to their bounds);
 * a branch job's reply, which is refused whole instead, is checked by `TaskUsageSchema`.
 */
function readUsage(x: unknown): TaskUsage | undefined {
  if (x === null || typeof x !== "object") return undefined;
  const u = x as Record<string, unknown>;
  if (!isCount(u.inputTokens) || !isCount(u.outputTokens) || !isCount(u.callCount) || !Array.isArray(u.calls)) return undefined;
  const calls: ModelCallFact[] = [];
  for (const c of u.calls.slice(0, MAX_LISTED_CALLS)) {
    if (c === null || typeof c !== "object") continue;
    const f = c as Record<string, unknown>;
    if (typeof f.model !== "string" || !isCount(f.inputTokens) || !isCount(f.outputTokens) || !isCount(f.durationMs)) continue;
    calls.push({
      model: f.model.slice(0, MAX_MODEL_NAME),
      ...(typeof f.agent === "string" ? { agent: f.agent.slice(0, MAX_MODEL_NAME) } : {}),
      ...(typeof f.graph === "string" ? { graph: f.graph.slice(0, MAX_MODEL_NAME) } : {}),
      inputTokens: f.inputTokens,
      outputTokens: f.outputTokens,
      ...(isCount(f.costUsd) ? { costUsd: f.costUsd } : {}),
      durationMs: f.durationMs,
      ...(f.cached === true ? { cached: true as const } : {}),
    });
  }
  return { inputTokens: u.inputTokens, outputTokens: u.outputTokens, ...(isCount(u.costUsd) ? { costUsd: u.costUsd } : {}), callCount: u.callCount, calls };
}

/** A figure ≥ 0 and finite (the spend ledger's test). */
const isCount = isSpendCount;
const count = (x: unknown): number => (isCount(x) ? x : 0);
