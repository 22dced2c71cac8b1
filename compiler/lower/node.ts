/**
 * A node's items → `NodeSpec` (`language.md` §2.3, with the reference meanings of §6).
 */
import type * as A from "../../grammar/rag/ast.js";
import type { InputSpec, NodeSpec, RetrySpec, SendSpec, WritesSpec } from "../blueprint.js";
import type { ItemByKeyword, ItemKeyword, ItemTable, ResolvedGraph, ResolvedNode } from "../resolve/resolve.js";
import { resolveSendTarget } from "../analysis/send-targets.js";
import type { LowerEnv } from "./env.js";
import { lowerEntries, lowerExpr, lowerTemplate } from "./expr.js";
import { lowerType } from "./types.js";
import { blockToJson, durationMs, listStrings } from "./values.js";

/** The retry policy of `retry true` (and the base of a `retry { … }` block). */
export const DEFAULT_RETRY: RetrySpec = {
  maxAttempts: 3,
  backoff: "exponential",
  initialMs: 500,
  maxMs: 30_000,
  jitter: true,
  retryOn: ["retryable", "rate_limited", "timeout"],
};

export function lowerNode(n: ResolvedNode, g: ResolvedGraph, env: LowerEnv): NodeSpec {
  const f = firstItems(n.items);
  const model = f.model?.value.value;
  const graphName = f.graph?.value.value ?? (n.modelMeaning === "graph" ? model : undefined);
  const routeFn = f.route?.value.value ?? (n.modelMeaning === "route" ? model : undefined);
  const agent = f.agent?.value.value;
  if (agent && env.program.agents.has(agent)) env.agentsUsed.add(agent);
  const tools = listStrings(f.tools?.value);
  const validators = listStrings(f.validate?.value);
  // A repl_agent's script grants (what its scripts may call besides its model and tools).
  const models = listStrings(f.models?.value);
  const agents = listStrings(f.agents?.value);
  const graphs = listStrings(f.graphs?.value);
  const sends: SendSpec[] = [];
  for (const s of n.sends) for (const t of s.targets) sends.push(lowerSend(t, g, env, s.concurrency?.value));
  const join = f.join;
  const cmd = f.command;
  const sources = listStrings(f.sources?.value);
  const options = listStrings(f.options?.value);
  const retry = f.retry;
  const timeout = f.timeout;
  const timeoutMs = timeout ? durationMs(timeout.value) : undefined;
  const cache = f.cache;
  const meta = f.metadata;
  const tags = listStrings(f.tags?.value);
  const steering = f.steering;
  const output = f.output;
  const system = f.system;
  const prompt = f.prompt;
  const onError = f.on_error;
  // Conditional assignments, not `...(x ? {k} : {})` spreads: V8 (Node 20) pays about a
  // microsecond per key added after a spread, a large share of lowering big graphs.
  // `span` is assigned last, keeping the IR's key order.
  const out = { name: n.name, kind: n.kind as NodeSpec["kind"] } as { -readonly [K in keyof NodeSpec]: NodeSpec[K] };
  if (model !== undefined && n.modelMeaning === "model") out.model = model;
  if (tools.length) out.tools = tools;
  if (agent !== undefined) out.agent = agent;
  if (graphName !== undefined) out.graph = graphName;
  const script = f.script;
  if (script) out.script = script.value.value;
  const tool = f.tool;
  if (tool) out.tool = tool.value.value;
  if (routeFn !== undefined) out.route = routeFn;
  if (validators.length) out.validators = validators;
  if (models.length) out.models = models;
  if (agents.length) out.agents = agents;
  if (graphs.length) out.graphs = graphs;
  if (system) out.system = lowerTemplate(system.value);
  if (prompt) out.prompt = lowerTemplate(prompt.value);
  const input = f.input;
  if (input) out.input = lowerInput(input.value);
  if (output) out.output = output.value.kind === "RecordType" ? lowerType(output.value, env.schemasUsed) : refType(output.value.name, env);
  const resume = f.resume;
  if (resume) out.resume = resume.value.kind === "RecordType" ? lowerType(resume.value, env.schemasUsed) : refType(resume.value.name, env);
  const approve = listStrings(f.approve?.value);
  if (approve.length) out.approve = approve;
  const budget = f.budget;
  if (budget && budget.value.kind === "Block") out.budget = lowerBudget(budget.value);
  const writes = f.writes;
  if (writes) out.writes = lowerWrites(writes);
  const set = f.set;
  if (set) out.set = lowerEntries(set.value.entries);
  const attach = f.attach;
  if (attach) out.attach = lowerEntries(attach.value.entries.filter((e) => e.key.name === "image" || e.key.name === "file"));
  if (sends.length) out.sends = sends;
  if (join) out.join = { target: join.target.name, wait: join.wait?.policy ?? "all", span: join.span };
  if (cmd) out.command = { ...(cmd.goto ? { goto: cmd.goto.name } : {}), ...(cmd.update ? { update: lowerEntries(cmd.update.entries) } : {}), ...(cmd.parent && cmd.goto ? { graph: "parent" as const } : {}), span: cmd.span };
  if (sources.length) out.sources = sources;
  if (options.length) out.options = options;
  const blocking = f.blocking;
  if (blocking) out.blocking = blocking.value;
  const optional = f.optional;
  if (optional) out.optional = optional.value;
  const defer = f.defer;
  if (defer?.value) out.defer = true;
  const persistent = f.persistent;
  if (persistent?.value) out.persistent = true;
  if (retry) out.retry = lowerRetry(retry.value);
  if (timeoutMs !== undefined) out.timeoutMs = timeoutMs;
  const maxSteps = f.max_steps;
  if (maxSteps) out.maxSteps = maxSteps.value.value;
  if (cache) out.cache = lowerCache(cache.value);
  if (onError) out.onError = onError.target.name;
  const checkpoint = f.checkpoint;
  if (checkpoint) out.checkpoint = checkpoint.value.name;
  if (meta && meta.value.kind === "Block") out.metadata = blockToJson(meta.value);
  if (tags.length) out.tags = tags;
  if (steering) out.steering = lowerSteering(steering);
  out.span = n.decl.span;
  return out;
}

/** The first item of each keyword (what `ItemTable.get` returns for it), undefined when there is none. */
type FirstItems = { [K in ItemKeyword]: ItemByKeyword[K] | undefined };

/**
 * The first item of each keyword, in one pass over the node's items. lowerNode reads
 * some 38 keywords per node, and `ItemTable.get` scans the items once per keyword: 38
 * scans (and calls, each inlined separately into lowerNode's optimised code) per node
 * where one pass does. Every key is present from the start (one object shape for every
 * node, so lowerNode's reads stay monomorphic); a keyword's first item wins, as with
 * `get` (a key already holding something, such as an inherited one, is never written).
 */
function firstItems(items: ItemTable): FirstItems {
  const f: FirstItems = { kind: undefined, model: undefined, agent: undefined, graph: undefined, script: undefined, tool: undefined, route: undefined, system: undefined, prompt: undefined, tools: undefined, sources: undefined, options: undefined, validate: undefined, tags: undefined, models: undefined, agents: undefined, graphs: undefined, input: undefined, output: undefined, resume: undefined, approve: undefined, budget: undefined, writes: undefined, set: undefined, attach: undefined, next: undefined, routes: undefined, send: undefined, sends: undefined, join: undefined, command: undefined, blocking: undefined, optional: undefined, defer: undefined, persistent: undefined, retry: undefined, metadata: undefined, cache: undefined, timeout: undefined, max_steps: undefined, on_error: undefined, checkpoint: undefined, steering: undefined };
  const list = items.items;
  for (let i = 0; i < list.length; i++) {
    const k = items.keywordAt(i) as ItemKeyword | "";
    if (k === "" || f[k] !== undefined) continue;
    (f as Record<string, A.NodeItem | undefined>)[k] = list[i]!;
  }
  return f;
}

function refType(name: string, env: LowerEnv): NodeSpec["output"] {
  env.schemasUsed.add(name);
  return { type: "ref", name };
}

export function lowerInput(v: A.StringLiteral | A.ExprMap): InputSpec {
  return v.kind === "String" ? { kind: "path", path: v.value, span: v.span } : { kind: "map", fields: lowerEntries(v.entries), span: v.span };
}

function lowerWrites(w: A.WritesItem): WritesSpec {
  return w.value.kind === "Identifier" ? { kind: "channel", channel: w.value.name, span: w.value.span } : { kind: "map", fields: lowerEntries(w.value.entries), span: w.value.span };
}

/** `budget { tokens: 50k, usd: 2.00 }` → its numeric limits (other keys are reported by `BudgetRule` and dropped). */
export function lowerBudget(b: A.Block): { tokens?: number; usd?: number } {
  const j = blockToJson(b);
  const out: { tokens?: number; usd?: number } = {};
  if (typeof j.tokens === "number") out.tokens = j.tokens;
  if (typeof j.usd === "number") out.usd = j.usd;
  return out;
}

function lowerSend(t: A.SendTarget, g: ResolvedGraph, env: LowerEnv, concurrency: number | undefined): SendSpec {
  const name = t.target.name;
  // What the checks resolved it to; a name nothing declares runs as a registered agent.
  const target = resolveSendTarget(name, g, env.program, env.registry);
  const targetKind: SendSpec["targetKind"] = target.kind === "node" || target.kind === "graph" ? target.kind : "agent";
  if (target.kind === "agent" && target.inline) env.agentsUsed.add(name);
  // Conditional assignments in the IR's key order (no spreads), `span` last.
  const out = { target: name, targetKind } as { -readonly [K in keyof SendSpec]: SendSpec[K] };
  if (t.args) out.args = lowerInput(t.args);
  if (t.forEach) out.forEach = { variable: t.forEach.variable.name, iterable: lowerExpr(t.forEach.iterable) };
  if (t.into) out.into = t.into.name;
  if (concurrency !== undefined) out.concurrency = concurrency;
  out.span = t.span;
  return out;
}

function lowerRetry(v: A.Block | A.BooleanLiteral): RetrySpec {
  if (v.kind === "Boolean") return v.value ? DEFAULT_RETRY : { ...DEFAULT_RETRY, maxAttempts: 1 };
  const j = blockToJson(v);
  const num = (k: string, d: number) => (typeof j[k] === "number" ? (j[k] as number) : d);
  const backoff = j.backoff === "fixed" ? "fixed" : "exponential";
  const retryOn = Array.isArray(j.retry_on) ? j.retry_on.filter((x): x is string => typeof x === "string") : DEFAULT_RETRY.retryOn;
  return {
    maxAttempts: num("max_attempts", DEFAULT_RETRY.maxAttempts),
    backoff,
    initialMs: num("initial", DEFAULT_RETRY.initialMs),
    maxMs: num("max", DEFAULT_RETRY.maxMs),
    jitter: typeof j.jitter === "boolean" ? j.jitter : DEFAULT_RETRY.jitter,
    retryOn,
  };
}

function lowerCache(v: A.Block | A.BooleanLiteral): NonNullable<NodeSpec["cache"]> {
  if (v.kind === "Boolean") return { enabled: v.value };
  const j = blockToJson(v);
  return { enabled: j.enabled !== false, ...(typeof j.ttl === "number" ? { ttlMs: j.ttl } : {}) };
}

function lowerSteering(s: A.SteeringItem): NonNullable<NodeSpec["steering"]> {
  const out: { parent?: string[]; human?: string[]; delivery?: string } = {};
  for (const e of s.entries) {
    if (e.who === "delivery" && e.value.kind === "String") out.delivery = e.value.value;
    else if (e.value.kind === "List") out[e.who as "parent" | "human"] = listStrings(e.value).slice();
  }
  return out;
}

/** An inline agent's items (the subset an agent uses). */
export function lowerAgentItems(items: ItemTable, env: LowerEnv) {
  const system = items.get("system");
  const prompt = items.get("prompt");
  const output = items.get("output");
  const writes = items.get("writes");
  const tools = listStrings(items.get("tools")?.value);
  const approve = listStrings(items.get("approve")?.value);
  const attach = items.get("attach");
  return {
    ...(items.get("model") ? { model: items.get("model")!.value.value } : {}),
    ...(approve.length ? { approve } : {}),
    ...(tools.length ? { tools } : {}),
    ...(system ? { system: lowerTemplate(system.value) } : {}),
    ...(prompt ? { prompt: lowerTemplate(prompt.value) } : {}),
    ...(output ? { output: output.value.kind === "RecordType" ? lowerType(output.value, env.schemasUsed) : refType(output.value.name, env) } : {}),
    ...(writes ? { writes: lowerWrites(writes) } : {}),
    ...(items.get("max_steps") ? { maxSteps: items.get("max_steps")!.value.value } : {}),
    ...(attach ? { attach: lowerEntries(attach.value.entries.filter((e) => e.key.name === "image" || e.key.name === "file")) } : {}),
  };
}
