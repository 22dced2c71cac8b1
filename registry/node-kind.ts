/**
 * The contract between the runtime and node-kind implementations (`language.md` §2.4).
 * The runtime builds a `NodeTask` for every task of a superstep; a node kind (from
 * `stdlib/kinds` or a user's config) returns a `NodeResult`. Kinds never touch state
 * directly: they return writes, which the runtime applies through the channel reducers
 * at the superstep barrier (`runtime.md` §1).
 */
import type { Blueprint, CallerKind, CapabilityKind, Decision, ExprSpec, GrantLimit, Json, NodeSpec, TemplateSpec } from "../compiler/index.js";
import type { ChatMessage, ModelAsk } from "./messages.js";
import type { ChatRequest, ChatResponse } from "./provider.js";
import type { GotoTarget } from "./goto.js";
import type { Registry } from "./registry.js";
import type { RunInfo } from "./run-info.js";
import type { SpendLedger } from "./spend.js";

/** A model reply with the assistant message as it will be stored (id assigned). */
export interface ModelReply extends ChatResponse {
  readonly assistant: ChatMessage;
}

/** Outcome of a child run (subgraph or subagent graph). */
export interface ChildRunResult {
  readonly state: Readonly<Record<string, unknown>>;
  readonly output: unknown;
}

/** Who a capability use is made for: an agent the node runs, and the path it takes. */
export interface CapabilityOptions {
  /** The agent (bound by the node) on whose behalf the use is made. */
  readonly agent?: string;
  /** The path, for denials and audits; default the node's kind (`agent_loop` inside an agent). */
  readonly caller?: CallerKind;
}

export interface NodeTask {
  readonly node: NodeSpec;
  readonly blueprint: Blueprint;
  readonly taskId: string;
  readonly run: RunInfo;
  /** Which attempt of the task this is: 1, then 2, … as the node's `retry` policy retries it (LangGraph's `executionInfo.nodeAttempt`). */
  readonly attempt: number;
  /** Committed state at the start of the superstep (deeply frozen). */
  readonly state: Readonly<Record<string, unknown>>;
  /** The run input. */
  readonly input: Readonly<Record<string, unknown>>;
  /** The send packet's arguments for a task started by a send; undefined otherwise. */
  readonly args: unknown;
  /** Aborted when the run is cancelled or the attempt times out. */
  readonly signal: AbortSignal;
  readonly registry: Registry;
  /** The graph's conversation channel (type `messages`), if it has one. */
  readonly messagesChannel: string | undefined;
  /** Evaluates a pure expression with the task's roots (`state`, `input`, `args`, `run`) plus `extra`. */
  evaluate(expr: ExprSpec, extra?: Record<string, unknown>): unknown;
  /** Renders a template with the same roots. */
  render(template: TemplateSpec, extra?: Record<string, unknown>): string;
  /** The node's input: its `input` mapping evaluated, else the send arguments, else undefined. */
  resolveInput(): unknown;
  /**
   * The one authorisation check (`compiler/grants.ts`) for this task: may it use
   * `kind NAME` — as agent `agent` when given (the node must bind that agent, and the
   * agent's own binding decides the rest)? Deny by default; pure (nothing is recorded).
   */
  authorize(kind: CapabilityKind, name: string, options?: CapabilityOptions): Decision;
  /**
   * `authorize`, throwing when refused (and emitting `capability_denied`). Node kinds
   * call it before using a registry entry the task methods below do not cover (route
   * functions, scripts, agents' definitions).
   *
   * @throws CapabilityDeniedError when refused.
   */
  requireCapability(kind: CapabilityKind, name: string, options?: CapabilityOptions): void;
  /** Limits for runs this task starts (sessions, subgraphs): what they may use at most. */
  childLimits(): readonly GrantLimit[];
  /**
   * Budgets for runs this task starts outside the runtime's own child-run path (a
   * CodeAct session's graphs): the `budget` blocks of every run enclosing this task,
   * outermost first, then this graph's own — a run budget covers all its descendants.
   */
  childBudgets(): readonly Json[];
  /**
   * The run's budget ledger (`CallContext.spend`): graph runs a CodeAct script starts from
   * this task are charged to it too, so they cannot spend past the enclosing budgets.
   */
  readonly spend?: SpendLedger;
  /**
   * Calls a registered model through its middleware chain; emits model events.
   *
   * @throws CapabilityDeniedError when the task (or `agent`) may not use the model.
   */
  callModel(model: string, request: Omit<ChatRequest, "model">, options?: CapabilityOptions): Promise<ModelReply>;
  /**
   * Calls a registered tool (arguments validated by its schema); emits tool events. The
   * task (or `agent`) must be granted the tool. A tool whose approval policy is `deny` is
   * refused; one whose policy is `ask` runs only with `approved: true` — the caller must
   * have asked a person first (the stdlib kinds do, through `interrupt`).
   *
   * @throws CapabilityDeniedError when the tool is not granted; NodeError (permanent) for an unknown, denied or unapproved tool; (validation) for arguments outside the schema.
   */
  callTool(name: string, args: unknown, options?: CapabilityOptions & { readonly callId?: string; readonly approved?: boolean }): Promise<unknown>;
  /**
   * Runs another graph (of the same file or the registry) as a child run.
   *
   * @throws CapabilityDeniedError when the task may not use the graph.
   */
  runGraph(graph: string, input: Record<string, unknown>, options?: CapabilityOptions): Promise<ChildRunResult>;
  /** The send branch this task runs in (`fanoutId`, branch index), when started by a send. */
  readonly branch?: { readonly fanoutId: string; readonly index: number };
  /** Scratch space private to this task attempt (the forked context's own; never shared with siblings). */
  readonly scratch: Map<string, unknown>;
  /**
   * Who asked for the tool calls of `message`, as the runtime recorded it when a model of
   * this run (or of a run enclosing it: a conversation handed to a subgraph) replied with
   * them — never read from the message, whose fields any state write can forge. Undefined
   * when no model call produced the message (a tool's result, a `set`, the input, a resume
   * value or `updateState` wrote it). The recorded calls are compared with the message's by
   * the caller (`ModelAsk.calls`).
   */
  modelAsk(message: ChatMessage): ModelAsk | undefined;
  /** A new message id, deterministic for the task. */
  newMessageId(): string;
  /**
   * Pauses for a human (`runtime.md` §4, after LangGraph's `interrupt()`): the first time,
   * the run saves a checkpoint and pauses with `payload` as the question; on resume the
   * task runs again from its start and this call returns the resume value. Calls are
   * matched to values by their order within the task, so a task may ask several times.
   * It throws a pause signal — rethrow anything `isInterrupt(e)` from catch-all handlers.
   *
   * @throws InterruptError when the run has no checkpointer to pause on.
   */
  interrupt<T = unknown>(payload: unknown): T;
  /** Emits a custom event on the run's stream. */
  emit(name: string, data: unknown): void;
}

export interface NodeResult {
  /** The node's result (used by `writes`, `set`, a send's `-> channel`, and the run output). */
  readonly result?: unknown;
  /** Writes the kind makes itself (e.g. conversation messages), applied in order. */
  readonly writes?: readonly (readonly [channel: string, value: unknown])[];
  /** Channel that receives `result` when the node declares no `writes`. */
  readonly resultChannel?: string;
  /** The chosen route label, for nodes with `routes`. */
  readonly route?: string;
  /**
   * Control flow chosen at run time (LangGraph's `Command({goto})`): node names (`"END"`
   * goes nowhere) and Send packets `{ node, args }`. Each runs in the next superstep
   * beside the node's declared successors; packets open a fan-out (one task each, no join).
   */
  readonly goto?: readonly GotoTarget[];
  /**
   * `"PARENT"`: `writes` and `goto` address the graph that runs this graph as a subgraph
   * (LangGraph's `Command({graph: Command.PARENT})`). This graph's run stops at the end of
   * the step; the parent's task (the subgraph node) completes with these writes, applied
   * through the parent's reducers, and `goto` targets of the parent, beside the node's
   * declared successors. The task's own result is discarded. A graph run at the top fails
   * with NodeError.
   */
  readonly graph?: "PARENT";
  /**
   * Set when `goto` (or a `graph: "PARENT"` command) came from tools' `ToolCommand`s
   * (names of the tools): the runtime then admits only targets the blueprint draws from
   * the node (`RunAuthority.checkGoto`; for `PARENT`, from the parent's subgraph node).
   */
  readonly toolCommand?: { readonly tools: readonly string[] };
}

export type NodeKindImplementation = (task: NodeTask) => Promise<NodeResult>;
