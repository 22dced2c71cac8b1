/**
 * Builder node options → `NodeSpec`, item for item as `compiler/lower/node.ts` lowers a
 * `node NAME { … }` (`language.md` §2.3), so a builder node and the equivalent `.rag`
 * node give the same IR. Durations are given in milliseconds here (no unit parsing).
 */
import type { Diagnostic } from "../../grammar/diagnostic.js";
import type { AgentSpec, ExprEntrySpec, InputSpec, Json, NodeKind, NodeSpec, RetrySpec, SendSpec, TypeSpec, WritesSpec } from "../blueprint.js";
import { DEFAULT_RETRY } from "../lower/node.js";
import { canonicalKind } from "../resolve/kinds.js";
import { resolveEntries, resolveExpr, parseTemplate, type ExprInput, type ExprMap } from "./expr.js";

export type { ExprMap };
import { fieldSpecs, NO_SPAN, TypeDef } from "./types.js";

/** A structured-output type: a record type, a schema reference, or a record of fields. */
export type OutputType = TypeDef<unknown> | Readonly<Record<string, TypeDef<unknown>>>;

/** One Send packet template (`send [target {args} for x in expr -> channel]`). */
export interface SendOptions<S, I> {
  /** A node of the graph, an inline or registered agent, or a graph. */
  readonly to: string;
  /** Overrides what `to` names (by default: a node, else a declared agent, else a used or registered graph, else an agent). */
  readonly targetKind?: "node" | "agent" | "graph";
  /** The packet's arguments (`{ item: x }`). */
  readonly args?: ExprMap<S, I>;
  /** Reference form `send target "path"`: the state (or input) value at that path. */
  readonly argsPath?: string;
  /** `for VARIABLE in EXPR`: one packet per list element. */
  readonly forEach?: { readonly variable: string; readonly in: ExprInput<S, I> };
  /** `-> channel`: the channel that receives the branch's result. */
  readonly into?: keyof S & string;
}

/** The kind of a node: a built-in kind (or its alias), or a kind a registry adds. */
export type KindName = NodeKind | "graph" | "human" | "sub_agent" | (string & {});

/**
 * A node's items (`language.md` §2.3) except control flow, which the builder's
 * `next`/`routes`/`when` methods declare. `S` and `I` are the state and input types.
 */
export interface NodeOptions<S, I> {
  readonly kind: KindName;
  readonly model?: string;
  readonly tools?: readonly string[];
  readonly agent?: string;
  readonly graph?: string;
  readonly script?: string;
  readonly tool?: string;
  /** Route function of a `router` node. */
  readonly route?: string;
  /** Registered output validators (`validate [..]`). */
  readonly validate?: readonly string[];
  /** A `repl_agent`'s script grants (`models [..]`, `agents [..]`, `graphs [..]`). */
  readonly models?: readonly string[];
  readonly agents?: readonly string[];
  readonly graphs?: readonly string[];
  /** Template: text with `{{ expr }}` parts. */
  readonly system?: string;
  readonly prompt?: string;
  /** Input mapping (`input { k: expr }`). */
  readonly input?: ExprMap<S, I>;
  /** Reference form `input "path"`. */
  readonly inputPath?: string;
  readonly output?: OutputType;
  /** `writes channel` or `writes { channel: expr }`. */
  readonly writes?: (keyof S & string) | ExprMap<S, I, keyof S & string>;
  /** `set { channel: expr }`: a pure state update applied after the node ran. */
  readonly set?: ExprMap<S, I, keyof S & string>;
  readonly send?: readonly SendOptions<S, I>[];
  /** `join X [wait all|first|N]`: X runs once after every branch of this node's fan-out ended. */
  readonly join?: string | { readonly target: string; readonly wait?: "all" | "first" | number };
  /** `command { goto X update { … } }`; `graph: "parent"` is `goto parent.X` (the graph running this one as a subgraph, LangGraph's `Command.PARENT`). */
  readonly command?: { readonly goto?: string; readonly update?: ExprMap<S, I>; readonly graph?: "parent" };
  /** Join sources (kind `join`). */
  readonly sources?: readonly string[];
  /** Interrupt choices (kind `interrupt`). */
  readonly options?: readonly string[];
  readonly blocking?: boolean;
  readonly optional?: boolean;
  /** `defer true`: the node's task waits until no other work is pending (LangGraph's `defer`). */
  readonly defer?: boolean;
  /**
   * `persistent true` (subgraph nodes; LangGraph's `compile({ checkpointer: true })`): the
   * child graph's state outlives one call, each call of the node in the thread continues it.
   */
  readonly persistent?: boolean;
  /** `true` = the default policy, `false` = one attempt, or fields over the default (delays in ms). */
  readonly retry?: boolean | Partial<RetrySpec>;
  /** Per-attempt timeout, ms. */
  readonly timeoutMs?: number;
  readonly maxSteps?: number;
  /** `cache true|false` or `{ enabled, ttlMs }`. */
  readonly cache?: boolean | { readonly enabled?: boolean; readonly ttlMs?: number };
  /** `on_error -> node`. */
  readonly onError?: string;
  readonly checkpoint?: string;
  readonly metadata?: { readonly [key: string]: Json };
  readonly tags?: readonly string[];
  readonly steering?: { readonly parent?: readonly string[]; readonly human?: readonly string[]; readonly delivery?: string };
}

/** An inline agent (`agent NAME { … }`). */
export interface AgentOptions<S, I> {
  readonly model?: string;
  readonly tools?: readonly string[];
  readonly system?: string;
  readonly prompt?: string;
  readonly output?: OutputType;
  readonly writes?: (keyof S & string) | ExprMap<S, I, keyof S & string>;
  readonly maxSteps?: number;
}

type Report = (d: Diagnostic) => void;

/** `TypeSpec` of an output option. */
export function outputType(o: OutputType): TypeSpec {
  return o instanceof TypeDef ? o.spec : { type: "record", fields: fieldSpecs(o as Record<string, TypeDef<unknown>>) };
}

function writesSpec<S, I>(w: NonNullable<NodeOptions<S, I>["writes"]>, report: Report): WritesSpec {
  if (typeof w === "string") return { kind: "channel", channel: w, span: NO_SPAN };
  return { kind: "map", fields: resolveEntries(w, report), span: NO_SPAN };
}

function inputSpec<S, I>(map: ExprMap<S, I> | undefined, path: string | undefined, report: Report): InputSpec | undefined {
  if (path !== undefined) return { kind: "path", path, span: NO_SPAN };
  if (map !== undefined) return { kind: "map", fields: resolveEntries(map, report), span: NO_SPAN };
  return undefined;
}

/** A send template; `targetKind` is settled by the builder once every node is known. */
export function sendSpec<S, I>(s: SendOptions<S, I>, report: Report): SendSpec {
  const args = inputSpec<S, I>(s.args, s.argsPath, report);
  return {
    target: s.to,
    targetKind: s.targetKind ?? "agent",
    ...(args ? { args } : {}),
    ...(s.forEach ? { forEach: { variable: s.forEach.variable, iterable: resolveExpr<S, I>(s.forEach.in, report) } } : {}),
    ...(s.into ? { into: s.into } : {}),
    span: NO_SPAN,
  };
}

function retrySpec(r: boolean | Partial<RetrySpec>): RetrySpec {
  if (r === true) return DEFAULT_RETRY;
  if (r === false) return { ...DEFAULT_RETRY, maxAttempts: 1 };
  return { ...DEFAULT_RETRY, ...r };
}

/** The node's kind in canonical spelling (aliases resolved; custom kinds as written). */
export function kindOf(kind: string): NodeKind {
  return canonicalKind(kind) ?? (kind as NodeKind);
}

function list(xs: readonly string[] | undefined): string[] | undefined {
  return xs && xs.length ? [...xs] : undefined;
}

/** A writable view of a readonly IR type, for building it key by key. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The sends of a node without any (shared: only read, and left out of the spec). */
const NO_SENDS: readonly SendSpec[] = Object.freeze([]);

/** Lowers node options; expression problems go to `report`. */
export function nodeSpec<S, I>(name: string, o: NodeOptions<S, I>, report: Report): NodeSpec {
  const tools = list(o.tools);
  const validators = list(o.validate);
  const models = list(o.models);
  const agents = list(o.agents);
  const graphs = list(o.graphs);
  const input = inputSpec<S, I>(o.input, o.inputPath, report);
  const sends = o.send ? o.send.map((s) => sendSpec<S, I>(s, report)) : NO_SENDS;
  const join = o.join === undefined ? undefined : typeof o.join === "string" ? { target: o.join, wait: "all" as const } : { target: o.join.target, wait: o.join.wait ?? "all" };
  const update: ExprEntrySpec[] | undefined = o.command?.update ? resolveEntries(o.command.update, report) : undefined;
  const sources = list(o.sources);
  const options = list(o.options);
  const tags = list(o.tags);
  const cache = o.cache === undefined ? undefined : typeof o.cache === "boolean" ? { enabled: o.cache } : { enabled: o.cache.enabled !== false, ...(o.cache.ttlMs !== undefined ? { ttlMs: o.cache.ttlMs } : {}) };
  // Conditional assignments rather than `...(x ? {k} : {})` spreads: V8 (Node 20) pays
  // about a microsecond per key added after a spread, which dominated building large graphs.
  // `span` is assigned last, as the compiler's lowering lists it after the items.
  const n = { name, kind: kindOf(o.kind) } as Mutable<NodeSpec>;
  if (o.model !== undefined) n.model = o.model;
  if (tools) n.tools = tools;
  if (o.agent !== undefined) n.agent = o.agent;
  if (o.graph !== undefined) n.graph = o.graph;
  if (o.script !== undefined) n.script = o.script;
  if (o.tool !== undefined) n.tool = o.tool;
  if (o.route !== undefined) n.route = o.route;
  if (validators) n.validators = validators;
  if (models) n.models = models;
  if (agents) n.agents = agents;
  if (graphs) n.graphs = graphs;
  if (o.system !== undefined) n.system = parseTemplate(o.system, report);
  if (o.prompt !== undefined) n.prompt = parseTemplate(o.prompt, report);
  if (input) n.input = input;
  if (o.output) n.output = outputType(o.output);
  if (o.writes !== undefined) n.writes = writesSpec<S, I>(o.writes, report);
  if (o.set !== undefined) n.set = resolveEntries(o.set, report);
  if (sends.length) n.sends = sends as SendSpec[];
  if (join) n.join = { ...join, span: NO_SPAN };
  if (o.command) n.command = { ...(o.command.goto !== undefined ? { goto: o.command.goto } : {}), ...(update ? { update } : {}), ...(o.command.graph === "parent" && o.command.goto !== undefined ? { graph: "parent" as const } : {}), span: NO_SPAN };
  if (sources) n.sources = sources;
  if (options) n.options = options;
  if (o.blocking !== undefined) n.blocking = o.blocking;
  if (o.optional !== undefined) n.optional = o.optional;
  if (o.defer) n.defer = true;
  if (o.persistent) n.persistent = true;
  if (o.retry !== undefined) n.retry = retrySpec(o.retry);
  if (o.timeoutMs !== undefined) n.timeoutMs = o.timeoutMs;
  if (o.maxSteps !== undefined) n.maxSteps = o.maxSteps;
  if (cache) n.cache = cache;
  if (o.onError !== undefined) n.onError = o.onError;
  if (o.checkpoint !== undefined) n.checkpoint = o.checkpoint;
  if (o.metadata) n.metadata = o.metadata;
  if (tags) n.tags = tags;
  if (o.steering) n.steering = { ...(o.steering.parent ? { parent: [...o.steering.parent] } : {}), ...(o.steering.human ? { human: [...o.steering.human] } : {}), ...(o.steering.delivery !== undefined ? { delivery: o.steering.delivery } : {}) };
  n.span = NO_SPAN;
  return n;
}

/** Lowers an inline agent (the subset of items an agent uses, as `lowerAgentItems`). */
export function agentSpec<S, I>(name: string, o: AgentOptions<S, I>, report: Report): AgentSpec {
  const tools = list(o.tools);
  return {
    name,
    ...(o.model !== undefined ? { model: o.model } : {}),
    ...(tools ? { tools } : {}),
    ...(o.system !== undefined ? { system: parseTemplate(o.system, report) } : {}),
    ...(o.prompt !== undefined ? { prompt: parseTemplate(o.prompt, report) } : {}),
    ...(o.output ? { output: outputType(o.output) } : {}),
    ...(o.writes !== undefined ? { writes: writesSpec<S, I>(o.writes, report) } : {}),
    ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}),
    span: NO_SPAN,
  };
}
