/**
 * The Blueprint IR (`language.md` §7): one plain-JSON object per graph, the single
 * contract between the compiler, the TypeScript builder API, `rag compile`, `rag diff`,
 * review gates and the runtime.
 *
 * Canonical form: objects are built with a fixed key order and absent optional keys
 * are omitted. Every element carries its source `span`; the content `hash` is SHA-256
 * over the canonical JSON with spans, `origin` markers, `hash`, `provenance` and `source`
 * removed (see canonical.ts), so reformatting never changes it and any semantic change does.
 */
import type { Span } from "../grammar/span.js";

export const IR_VERSION = 1;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// ───────────────────────────── types ─────────────────────────────

export type ScalarTypeName = "string" | "number" | "integer" | "boolean" | "any" | "messages";

export type TypeSpec =
  /**
   * `min`/`max` (inclusive): `number(0..1)`, `integer(1..10)`; `pattern`: `string(/re/)`,
   * matched in linear time by `compilePattern` (compiler/pattern.ts). Checked on every write.
   */
  | { readonly type: ScalarTypeName; readonly optional?: true; readonly min?: number; readonly max?: number; readonly pattern?: string }
  | { readonly type: "list"; readonly items: TypeSpec; readonly optional?: true }
  | { readonly type: "map"; readonly values: TypeSpec; readonly optional?: true }
  | { readonly type: "record"; readonly fields: readonly FieldSpec[]; readonly optional?: true }
  | { readonly type: "enum"; readonly values: readonly string[]; readonly optional?: true }
  /** A named `schema` of the file (definitions in `Blueprint.schemas`) or of the registry. */
  | { readonly type: "ref"; readonly name: string; readonly optional?: true };

/** Canonical reducer names (aliases such as `last_write` are resolved). */
export type ReducerName =
  | "overwrite" | "append" | "messages" | "merge" | "sum" | "min" | "max" | "union" | "topic"
  | "ephemeral" | "untracked" | "barrier" | "named_barrier" | "aggregate";

export interface ReducerSpec {
  readonly name: ReducerName;
  /** Literal arguments as written after the reducer (`barrier 2` → `[2]`). */
  readonly args: readonly Json[];
  /** For `aggregate "fn"` / `reducer "fn"`: the registered reducer function. */
  readonly fn?: string;
}

/** A state channel, an input/output field or a record field. */
export interface FieldSpec {
  readonly name: string;
  readonly type: TypeSpec;
  readonly reducer: ReducerSpec;
  readonly default?: Json;
  readonly span: Span;
}

// ───────────────────────────── expressions ─────────────────────────────

export type BinaryOperator = "or" | "and" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "+" | "-" | "*" | "/" | "%";

/** A pure expression (`language.md` §3), evaluated by the runtime against its roots. */
export type ExprSpec =
  | { readonly op: "lit"; readonly value: Json; readonly span: Span }
  | { readonly op: "var"; readonly name: string; readonly span: Span }
  | { readonly op: "get"; readonly object: ExprSpec; readonly key: string; readonly span: Span }
  | { readonly op: "index"; readonly object: ExprSpec; readonly index: ExprSpec; readonly span: Span }
  | { readonly op: "call"; readonly fn: string; readonly args: readonly ExprSpec[]; readonly span: Span }
  | { readonly op: "not" | "neg"; readonly arg: ExprSpec; readonly span: Span }
  | { readonly op: "bin"; readonly operator: BinaryOperator; readonly left: ExprSpec; readonly right: ExprSpec; readonly span: Span }
  | { readonly op: "list"; readonly items: readonly ExprSpec[]; readonly span: Span }
  /** `[element for variable in iterable if filter]`: a new list; each element is charged to the evaluation budget before it is evaluated. */
  | { readonly op: "comp"; readonly variable: string; readonly iterable: ExprSpec; readonly element: ExprSpec; readonly filter?: ExprSpec; readonly span: Span }
  | { readonly op: "object"; readonly entries: readonly ExprEntrySpec[]; readonly span: Span };

export interface ExprEntrySpec {
  readonly key: string;
  readonly value: ExprSpec;
}

/** A template string: literal text and `{{ expr }}` parts. */
export interface TemplateSpec {
  readonly text: string;
  readonly parts: readonly ({ readonly text: string } | { readonly expr: ExprSpec })[];
  readonly span: Span;
}

// ───────────────────────────── nodes ─────────────────────────────

/** Canonical node kinds (`language.md` §2.4). */
export type NodeKind =
  | "model" | "agent" | "tool_executor" | "tool" | "router" | "set" | "subgraph" | "subagent"
  | "interrupt" | "join" | "repl_agent";

/** How a node, subagent or subgraph receives its input. */
export type InputSpec =
  /** Reference form `input "name"`: the value at that path of state (falling back to the run input). */
  | { readonly kind: "path"; readonly path: string; readonly span: Span }
  | { readonly kind: "map"; readonly fields: readonly ExprEntrySpec[]; readonly span: Span };

/** Where a node's result goes. */
export type WritesSpec =
  | { readonly kind: "channel"; readonly channel: string; readonly span: Span }
  | { readonly kind: "map"; readonly fields: readonly ExprEntrySpec[]; readonly span: Span };

/** A Send packet template (`send [target {args} for x in expr -> channel]`). */
export interface SendSpec {
  readonly target: string;
  /** What the target names: a node of the graph, an inline or registered agent, a graph. */
  readonly targetKind: "node" | "agent" | "graph";
  readonly args?: InputSpec;
  readonly forEach?: { readonly variable: string; readonly iterable: ExprSpec };
  /** Channel that receives the branch's result. */
  readonly into?: string;
  /** `send [ … ] concurrency N`: at most N packets of this `send` item run at once (the rest wait their turn in the same superstep). */
  readonly concurrency?: number;
  readonly span: Span;
}

export interface RetrySpec {
  readonly maxAttempts: number;
  readonly backoff: "exponential" | "fixed";
  /** First delay, ms. */
  readonly initialMs: number;
  /** Delay cap, ms. */
  readonly maxMs: number;
  readonly jitter: boolean;
  /** Error classes that are retried. */
  readonly retryOn: readonly string[];
}

export interface NodeSpec {
  readonly name: string;
  readonly kind: NodeKind;
  /** Registry names this node binds. */
  readonly model?: string;
  readonly tools?: readonly string[];
  readonly agent?: string;
  readonly graph?: string;
  readonly script?: string;
  readonly tool?: string;
  /** Route function of a `router` node. */
  readonly route?: string;
  readonly validators?: readonly string[];
  /**
   * A `repl_agent`'s script grants: the models, registered agents and graphs its
   * scripts may call besides its own `model` and `tools` (deny by default; `grants.ts`).
   */
  readonly models?: readonly string[];
  readonly agents?: readonly string[];
  readonly graphs?: readonly string[];
  readonly system?: TemplateSpec;
  readonly prompt?: TemplateSpec;
  readonly input?: InputSpec;
  readonly output?: TypeSpec;
  /** `resume { … }`: the typed answer an interrupt node accepts; it becomes the node's `result`. */
  readonly resume?: TypeSpec;
  /** `approve [..]`: tools whose every call by this node waits for a person's approval (on top of authorisation, never instead of it). */
  readonly approve?: readonly string[];
  /** `budget { tokens, usd }`: what this node's model calls may spend in one run, summed over its tasks (tokens; USD). */
  readonly budget?: { readonly tokens?: number; readonly usd?: number };
  readonly writes?: WritesSpec;
  readonly set?: readonly ExprEntrySpec[];
  /**
   * `attach { image: …, file: … }`: parts added to the node's user message. Each value is a
   * URL string (`https:` or `data:…;base64,`), an object `{ url }` or `{ data, media_type, name? }`,
   * a list of these, or null (nothing attached); see stdlib/kinds/attach.ts.
   */
  readonly attach?: readonly ExprEntrySpec[];
  readonly sends?: readonly SendSpec[];
  readonly join?: { readonly target: string; readonly wait: "all" | "first" | number; readonly span: Span };
  /**
   * `command { goto X update { … } }`; `graph: "parent"` for `goto parent.X` (LangGraph's
   * `Command.PARENT`): the update and the goto address the graph that runs this one as a subgraph.
   */
  readonly command?: { readonly goto?: string; readonly update?: readonly ExprEntrySpec[]; readonly graph?: "parent"; readonly span: Span };
  readonly sources?: readonly string[];
  readonly options?: readonly string[];
  readonly blocking?: boolean;
  readonly optional?: boolean;
  /** `defer true` (LangGraph's `defer`): the node's task waits until no other work is pending. */
  readonly defer?: boolean;
  /**
   * `persistent true` on a subgraph node (LangGraph's subgraph compiled with
   * `checkpointer: true`): the child graph's state outlives one call. Every call of the node
   * in the thread continues the state the previous call left (runtime.md §3, "Persistent
   * subgraphs"); at most one call of the node may run per superstep.
   */
  readonly persistent?: boolean;
  readonly retry?: RetrySpec;
  /** Per-attempt timeout, ms. */
  readonly timeoutMs?: number;
  readonly maxSteps?: number;
  readonly cache?: { readonly enabled: boolean; readonly ttlMs?: number };
  readonly onError?: string;
  readonly checkpoint?: string;
  readonly metadata?: { readonly [key: string]: Json };
  readonly tags?: readonly string[];
  readonly steering?: { readonly parent?: readonly string[]; readonly human?: readonly string[]; readonly delivery?: string };
  readonly span: Span;
}

/** An inline `agent NAME { … }` declaration used by a graph. */
export interface AgentSpec {
  readonly name: string;
  readonly model?: string;
  readonly tools?: readonly string[];
  readonly system?: TemplateSpec;
  readonly prompt?: TemplateSpec;
  readonly output?: TypeSpec;
  readonly writes?: WritesSpec;
  readonly maxSteps?: number;
  /** `approve [..]`: tools whose every call by this agent waits for a person's approval, wherever it runs (send, subagent node). */
  readonly approve?: readonly string[];
  /**
   * `attach { image: …, file: … }`: parts added to the agent's first user message, each
   * value evaluated where the agent runs (`input` is the agent's input, `state` the
   * caller's); see stdlib/kinds/attach.ts.
   */
  readonly attach?: readonly ExprEntrySpec[];
  readonly span: Span;
}

// ───────────────────────────── edges ─────────────────────────────

/**
 * A control-flow edge. `static` edges always fire (from `next`, top-level edges and
 * `START -> x`); `route` edges fire on a chosen label; `when` edges on the first true
 * condition in declaration order, `else` when none is true; `goto` from `command`.
 * `origin` records the spelling (excluded from the hash).
 */
export type EdgeSpec =
  | { readonly kind: "static"; readonly from: string; readonly to: string; readonly origin: "next" | "edge" | "start"; readonly span: Span }
  | { readonly kind: "route"; readonly from: string; readonly to: string; readonly label: string; readonly span: Span }
  | { readonly kind: "when"; readonly from: string; readonly to: string; readonly when: ExprSpec; readonly span: Span }
  | { readonly kind: "else"; readonly from: string; readonly to: string; readonly span: Span }
  | { readonly kind: "goto"; readonly from: string; readonly to: string; readonly span: Span };

/** A barrier: `target` runs once after every source has completed (`join [a, b] -> c`, or a `join` node). */
export interface BarrierSpec {
  readonly sources: readonly string[];
  readonly target: string;
  readonly origin: "edge" | "node";
  readonly span: Span;
}

// ───────────────────────────── the blueprint ─────────────────────────────

export interface Capabilities {
  readonly models: readonly string[];
  readonly tools: readonly string[];
  readonly agents: readonly string[];
  readonly graphs: readonly string[];
  readonly scripts: readonly string[];
  readonly routers: readonly string[];
  readonly reducers: readonly string[];
  readonly validators: readonly string[];
  /**
   * Registry node kinds the nodes run (`kind send_email`; built-in kinds are left out).
   * Present only when there is one: a blueprint without a custom kind keeps the hash it
   * had before the kind was listed (and so its approvals).
   */
  readonly nodeKinds?: readonly string[];
}

/** Who or what produced a blueprint's source. */
export interface Provenance {
  /** `human`, `model`, `repl`, `builder` … */
  readonly generatedBy: string;
  /** Model id, user, session or tool that wrote it. */
  readonly author?: string;
  /** ISO-8601 time the source was produced. */
  readonly createdAt?: string;
  readonly note?: string;
}

export interface Blueprint {
  readonly irVersion: typeof IR_VERSION;
  /** The graph name. */
  readonly id: string;
  /** `sha256:<hex>` of the canonical form (see canonical.ts). */
  readonly hash: string;
  /** Entry nodes (the `start` item and `START -> x` edges), in order. */
  readonly start: readonly string[];
  /**
   * A conditional entry (`start routes { when … -> a  else -> b }`, LangGraph's conditional
   * edges from START): `when`/`else` edges from `START`, the first true one chosen against
   * the input state when a run starts fresh. Absent when the graph has none.
   */
  readonly startRoutes?: readonly EdgeSpec[];
  readonly state: readonly FieldSpec[];
  readonly input?: readonly FieldSpec[];
  readonly output?: readonly FieldSpec[];
  /** Named schemas of the file that this graph uses. */
  readonly schemas?: { readonly [name: string]: TypeSpec };
  readonly nodes: readonly NodeSpec[];
  readonly edges: readonly EdgeSpec[];
  readonly barriers: readonly BarrierSpec[];
  readonly interrupts: { readonly before: readonly string[]; readonly after: readonly string[]; readonly policy?: string };
  readonly checkpoint?: string;
  readonly defaults: { readonly [key: string]: Json };
  readonly metadata: { readonly [key: string]: Json };
  readonly tags: readonly string[];
  /** `allow` declarations: capability kind → names this graph may bind. */
  readonly allow: { readonly [kind: string]: readonly string[] };
  /** What the graph asks the registry for. */
  readonly capabilities: Capabilities;
  /** Inline agents of the file used by this graph. */
  readonly agents: readonly AgentSpec[];
  /** Same-file graphs used as subgraphs: name → their hash (so a change there changes this hash). */
  readonly subgraphs: { readonly [name: string]: string };
  readonly provenance?: Provenance;
  readonly source?: { readonly file?: string };
  readonly span: Span;
}
