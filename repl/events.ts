/**
 * Session events (`repl.md` §4). Every event carries the session's run id, the root
 * run id and parent run id of the run tree it belongs to, the cell id, the depth and,
 * for capability events, the capability's name — so a session's events nest with the
 * graph events (`runtime.md` §6) of the runs it starts: a graph run from a session has
 * the session as its parent run, and a session inside a `repl_agent` node has the
 * node's run as its parent.
 */
import type { Usage } from "../registry/index.js";
import type { RunEvent } from "../runtime/index.js";

export interface SessionEventIds {
  /** The session's own run id. */
  readonly sessionId: string;
  readonly runId: string;
  readonly rootRunId: string;
  readonly parentRunId?: string;
  /** `c1`, `c2` … for events inside a cell. */
  readonly cellId?: string;
  readonly depth: number;
  /** The capability function, for capability and blueprint events (`model_query` …). */
  readonly capability?: string;
  /** ms since the Unix epoch. */
  readonly timestamp: number;
}

/** One capability call as recorded in a cell result's `calls[]`. */
export interface CallRecord {
  readonly callId: string;
  readonly capability: string;
  /** Model, tool, agent or graph name. */
  readonly target: string;
  readonly ok: boolean;
  readonly durationMs: number;
  readonly usage?: Usage;
  /** Index within a batched call. */
  readonly index?: number;
  readonly error?: { readonly code: string; readonly message: string };
}

export type SessionEventBody =
  | { readonly type: "session_started"; readonly policy: Readonly<Record<string, unknown>> }
  | { readonly type: "cell_started"; readonly source: string }
  | { readonly type: "cell_stdout"; readonly text: string }
  | { readonly type: "cell_completed"; readonly value: unknown; readonly elapsedMs: number; readonly variablesChanged: readonly string[]; readonly calls: number }
  | { readonly type: "cell_failed"; readonly diagnostics: readonly unknown[]; readonly elapsedMs: number }
  | { readonly type: "variable_changed"; readonly name: string; readonly preview: string }
  | { readonly type: "capability_call_started"; readonly callId: string; readonly target: string; readonly index?: number }
  | { readonly type: "capability_call_completed"; readonly call: CallRecord }
  | { readonly type: "model_started"; readonly model: string; readonly provider: string; readonly messages: number }
  | { readonly type: "model_completed"; readonly model: string; readonly usage: Usage; readonly finishReason: string; readonly durationMs: number; readonly cached?: boolean }
  | { readonly type: "tool_started"; readonly tool: string; readonly args: unknown }
  | { readonly type: "tool_completed"; readonly tool: string; readonly ok: boolean; readonly durationMs: number; readonly error?: string }
  | { readonly type: "graph_blueprint_defined"; readonly draft: string; readonly name: string; readonly provenance: unknown }
  | { readonly type: "graph_blueprint_validated"; readonly draft: string; readonly name: string; readonly ok: boolean; readonly errors: number; readonly warnings: number }
  | { readonly type: "graph_blueprint_compiled"; readonly name: string; readonly hash: string; readonly needsReview: boolean }
  | { readonly type: "graph_blueprint_registered"; readonly name: string; readonly hash: string; readonly reviewed: boolean }
  | { readonly type: "custom"; readonly name: string; readonly data: unknown }
  | { readonly type: "final_answer"; readonly value: unknown }
  | { readonly type: "session_completed"; readonly cells: number; readonly finalAnswer?: unknown }
  | { readonly type: "session_failed"; readonly cells: number; readonly error: string; readonly diagnostics?: readonly unknown[] };

export type SessionEvent = SessionEventBody & SessionEventIds;
export type SessionEventType = SessionEvent["type"];

/** What a session's sink receives: its own events and the graph events of the runs it starts. */
export type AnyEvent = SessionEvent | RunEvent;

export type SessionSink = (event: AnyEvent) => void;
