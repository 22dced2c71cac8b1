/**
 * A node's items → `NodeSpec` (`language.md` §2.3, with the reference meanings of §6).
 */
import type * as A from "../../grammar/rag/ast.js";
import type { InputSpec, NodeSpec, RetrySpec, SendSpec, WritesSpec } from "../blueprint.js";
import type { ItemTable, ResolvedGraph, ResolvedNode } from "../resolve/resolve.js";
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
  const it = n.items;
  const model = it.get("model")?.value.value;
  const graphName = it.get("graph")?.value.value ?? (n.modelMeaning === "graph" ? model : undefined);
  const routeFn = it.get("route")?.value.value ?? (n.modelMeaning === "route" ? model : undefined);
  const agent = it.get("agent")?.value.value;
  if (agent && env.program.agents.has(agent)) env.agentsUsed.add(agent);
  const tools = listStrings(it.get("tools")?.value);
  const validators = listStrings(it.get("validate")?.value);
  const sends = n.sends.flatMap((s) => s.targets.map((t) => lowerSend(t, g, env)));
  const join = it.get("join");
  const cmd = it.get("command");
  const sources = listStrings(it.get("sources")?.value);
  const options = listStrings(it.get("options")?.value);
  const retry = it.get("retry");
  const timeout = it.get("timeout");
  const timeoutMs = timeout ? durationMs(timeout.value) : undefined;
  const cache = it.get("cache");
  const meta = it.get("metadata");
  const tags = listStrings(it.get("tags")?.value);
  const steering = it.get("steering");
  const output = it.get("output");
  const system = it.get("system");
  const prompt = it.get("prompt");
  const onError = it.get("on_error");
  return {
    name: n.name,
    kind: n.kind as NodeSpec["kind"],
    ...(model !== undefined && n.modelMeaning === "model" ? { model } : {}),
    ...(tools.length ? { tools } : {}),
    ...(agent !== undefined ? { agent } : {}),
    ...(graphName !== undefined ? { graph: graphName } : {}),
    ...(it.get("script") ? { script: it.get("script")!.value.value } : {}),
    ...(it.get("tool") ? { tool: it.get("tool")!.value.value } : {}),
    ...(routeFn !== undefined ? { route: routeFn } : {}),
    ...(validators.length ? { validators } : {}),
    ...(system ? { system: lowerTemplate(system.value) } : {}),
    ...(prompt ? { prompt: lowerTemplate(prompt.value) } : {}),
    ...(it.get("input") ? { input: lowerInput(it.get("input")!.value) } : {}),
    ...(output ? { output: output.value.kind === "RecordType" ? lowerType(output.value, env.schemasUsed) : refType(output.value.name, env) } : {}),
    ...(it.get("writes") ? { writes: lowerWrites(it.get("writes")!) } : {}),
    ...(it.get("set") ? { set: lowerEntries(it.get("set")!.value.entries) } : {}),
    ...(sends.length ? { sends } : {}),
    ...(join ? { join: { target: join.target.name, wait: join.wait?.policy ?? "all", span: join.span } } : {}),
    ...(cmd ? { command: { ...(cmd.goto ? { goto: cmd.goto.name } : {}), ...(cmd.update ? { update: lowerEntries(cmd.update.entries) } : {}), span: cmd.span } } : {}),
    ...(sources.length ? { sources } : {}),
    ...(options.length ? { options } : {}),
    ...(it.get("blocking") ? { blocking: it.get("blocking")!.value } : {}),
    ...(it.get("optional") ? { optional: it.get("optional")!.value } : {}),
    ...(retry ? { retry: lowerRetry(retry.value) } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(it.get("max_steps") ? { maxSteps: it.get("max_steps")!.value.value } : {}),
    ...(cache ? { cache: lowerCache(cache.value) } : {}),
    ...(onError ? { onError: onError.target.name } : {}),
    ...(it.get("checkpoint") ? { checkpoint: it.get("checkpoint")!.value.name } : {}),
    ...(meta && meta.value.kind === "Block" ? { metadata: blockToJson(meta.value) } : {}),
    ...(tags.length ? { tags } : {}),
    ...(steering ? { steering: lowerSteering(steering) } : {}),
    span: n.decl.span,
  };
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

function lowerSend(t: A.SendTarget, g: ResolvedGraph, env: LowerEnv): SendSpec {
  const name = t.target.name;
  let targetKind: SendSpec["targetKind"] = "agent";
  if (g.nodes.has(name)) targetKind = "node";
  else if (env.program.agents.has(name)) {
    targetKind = "agent";
    env.agentsUsed.add(name);
  } else if (env.program.graphByName.has(name) || env.registry?.graphs?.has(name)) targetKind = "graph";
  return {
    target: name,
    targetKind,
    ...(t.args ? { args: lowerInput(t.args) } : {}),
    ...(t.forEach ? { forEach: { variable: t.forEach.variable.name, iterable: lowerExpr(t.forEach.iterable) } } : {}),
    ...(t.into ? { into: t.into.name } : {}),
    span: t.span,
  };
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
    else if (e.value.kind === "List") out[e.who as "parent" | "human"] = listStrings(e.value);
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
  return {
    ...(items.get("model") ? { model: items.get("model")!.value.value } : {}),
    ...(tools.length ? { tools } : {}),
    ...(system ? { system: lowerTemplate(system.value) } : {}),
    ...(prompt ? { prompt: lowerTemplate(prompt.value) } : {}),
    ...(output ? { output: output.value.kind === "RecordType" ? lowerType(output.value, env.schemasUsed) : refType(output.value.name, env) } : {}),
    ...(writes ? { writes: lowerWrites(writes) } : {}),
    ...(items.get("max_steps") ? { maxSteps: items.get("max_steps")!.value.value } : {}),
  };
}
