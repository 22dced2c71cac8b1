/**
 * How a session calls a capability (`repl.md` §2, §4): the per-session budgets
 * (`spend`), the one authorisation check per call (`authorizeCall`, `refuseCall`), the
 * call record and its events (`invoke`), batches (`batch`), and the copies of arguments
 * and results across the boundary (`argsOut`, `resultIn`). Used by the capability
 * built-ins (builtins.ts) and the graph built-ins (graph-builtins.ts).
 */
import type { CapabilityKind } from "../compiler/index.js";
import { diagnostic } from "../grammar/diagnostic.js";
import { didYouMean } from "../grammar/suggest.js";
import type { Usage } from "../registry/index.js";
import { BindError } from "../runtime/index.js";
import { LimitError, ScriptError } from "./errors.js";
import type { CallRecord } from "./events.js";
import { ArgumentsError, CapabilityRefused } from "./host.js";
import type { CellState, SessionCore } from "./session-core.js";
import { cellCharge, fromHost, toHost } from "./boundary.js";
import { describeType, isRecord, type ScriptRecord, type Value } from "./values.js";

export const RESERVED_CAPABILITIES = [
  "model_query", "model_query_batched", "agent_query", "agent_query_batched", "graph_run", "graph_run_batched",
  "graph_define", "graph_validate", "graph_compile", "graph_diff", "graph_register", "graph_history", "tool_call", "tool_call_batched",
  "emit", "print", "show_vars", "answer",
] as const;

/** The built-ins that return a promise (they suspend the cell); never started from the synchronous path. */
export const SUSPENDING: ReadonlySet<string> = new Set(["model_query", "model_query_batched", "agent_query", "agent_query_batched", "graph_run", "graph_run_batched", "graph_history", "tool_call", "tool_call_batched"]);

type Budget = "model" | "tool" | "agent" | "graph" | "definition";
const BUDGET_POLICY: Readonly<Record<Budget, "maxModelCalls" | "maxToolCalls" | "maxAgentCalls" | "maxGraphRuns" | "maxGraphDefinitions">> = {
  model: "maxModelCalls",
  tool: "maxToolCalls",
  agent: "maxAgentCalls",
  graph: "maxGraphRuns",
  definition: "maxGraphDefinitions",
};

/** Takes `n` calls from the session's budget for `kind`, or stops the cell. */
export function spend(s: SessionCore, kind: Budget, n: number, capability: string): void {
  const limit = s.policy[BUDGET_POLICY[kind]];
  if (s.counts[kind] + n > limit) {
    throw new LimitError("E-ragsh-call-limit", `\`${capability}\` would exceed the session's limit of ${limit} ${kind === "definition" ? "graph definitions" : `${kind} calls`} (${s.counts[kind]} used)`, undefined, {
      help: `raise the \`${BUDGET_POLICY[kind]}\` policy, or do more per call`,
      capability,
    });
  }
  s.counts[kind] += n;
}

/**
 * A script value leaving as a capability's argument: plain data only, at most 64 levels
 * and `maxValueBytes`, its bytes charged to the cell's memory before it is copied.
 *
 * @throws ScriptError `E-ragsh-invalid-arguments` (a function, a cycle), `E-ragsh-value-limit`, `E-ragsh-memory-limit`.
 */
export function argsOut(s: SessionCore, v: Value, what: string): unknown {
  return toHost(v, { functions: "error", what, maxBytes: s.policy.maxValueBytes, charge: cellCharge(s.runtime) });
}

/**
 * What a capability returned, entering the session: plain data only, at most 64 levels,
 * its bytes charged to the cell's memory as it is copied.
 *
 * @throws ScriptError `E-ragsh-host-value`, `E-ragsh-memory-limit`.
 */
export function resultIn(s: SessionCore, v: unknown, what: string): Value {
  return fromHost(v, what, { maxBytes: s.policy.maxMemoryBytes, charge: cellCharge(s.runtime) });
}

/** A record argument, or `E-ragsh-invalid-arguments` showing the expected shape. */
export function recordArg(v: Value, capability: string, shape: string): ScriptRecord {
  if (!isRecord(v)) throw new ScriptError("E-ragsh-invalid-arguments", `\`${capability}\` takes an object, not ${describeType(v)}`, undefined, { help: `call it as \`${capability}(${shape})\``, capability });
  return v;
}

export function stringField(r: ScriptRecord, key: string, capability: string, shape: string, optional = false): string | undefined {
  const v = r[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== "string" || v === "") throw new ScriptError("E-ragsh-invalid-arguments", `\`${capability}\` needs \`${key}\` as a non-empty string${v === undefined ? "" : `, not ${describeType(v)}`}`, undefined, { help: `call it as \`${capability}(${shape})\``, capability });
  return v;
}

/** `E-ragsh-unknown-model|tool|agent|graph` with a did-you-mean among the registered names. */
function unknownCapability(s: SessionCore, capability: string, kind: string, target: string): ScriptError {
  const known = s.capabilityNames();
  const names = kind === "models" ? known.models : kind === "tools" ? known.tools : kind === "agents" ? known.agents : known.graphs;
  const noun = kind === "models" || kind === "tools" || kind === "agents" ? kind.slice(0, -1) : "graph";
  const guess = didYouMean(target, names);
  return new ScriptError(`E-ragsh-unknown-${noun}`, `${noun} \`${target}\` is not registered`, undefined, { capability, ...(guess ? { help: `did you mean \`${guess}\`?` } : {}) });
}

/** Turns a host failure into the diagnostic a script sees. */
function asCallError(e: unknown, s: SessionCore, capability: string, target: string): ScriptError {
  if (e instanceof ScriptError) return e;
  const reason: unknown = s.current?.controller.signal.reason;
  if (reason instanceof ScriptError) return Object.assign(reason, { span: undefined });
  if (s.current?.controller.signal.aborted) return new LimitError("E-ragsh-timeout", `the cell ran longer than its ${s.policy.timeoutMs} ms limit during \`${capability}\``, undefined, { capability });
  if (e instanceof ArgumentsError) return new ScriptError("E-ragsh-invalid-arguments", e.message, undefined, { capability });
  if (e instanceof CapabilityRefused) return new ScriptError("E-ragsh-capability-denied", e.message, undefined, { capability, help: "the session (or the node hosting it) is not granted this; nothing was called" });
  if (e instanceof BindError) return unknownCapability(s, capability, e.missing[0]?.split(".")[0] ?? "", target);
  const message = e instanceof Error ? e.message : String(e);
  return new ScriptError("E-ragsh-capability-failed", `\`${capability}\` (${target}) failed: ${message}`, undefined, { capability, help: "the call's error is in the message; the session and its variables are intact" });
}

/**
 * The one authorisation check, before a call is charged or made: a refused call never
 * runs. It is recorded as a failed call (`E-ragsh-capability-denied`) and stops the cell.
 */
export function authorizeCall(s: SessionCore, cell: CellState, capability: string, kind: CapabilityKind, name: string): void {
  const known = s.capabilityNames() as Partial<Record<CapabilityKind, ReadonlySet<string>>>;
  const registered = known[kind]?.has(name) ?? true;
  const d = registered ? s.authorize(kind, name) : undefined;
  if (d?.allowed) return;
  // An unregistered name is reported as unknown (with did-you-mean), a registered one the
  // session may not use as denied; either way nothing is called.
  const err = d ? new ScriptError("E-ragsh-capability-denied", d.reason, undefined, { capability, help: "the session (or the node hosting it) is not granted this; nothing was called" }) : unknownCapability(s, capability, kind, name);
  refuseCall(s, cell, capability, name, err);
}

/**
 * Records a refused capability call (a failed `calls[]` entry and its
 * `capability_call_completed` event, duration 0: nothing was called) and throws `err`.
 */
export function refuseCall(s: SessionCore, cell: CellState, capability: string, target: string, err: ScriptError): never {
  const call: CallRecord = { callId: `${cell.cellId}.${++cell.callSeq}`, capability, target, ok: false, durationMs: 0, error: { code: err.code, message: err.message } };
  cell.calls.push(call);
  s.emit({ type: "capability_call_completed", call }, capability);
  throw err;
}

/** One capability call with its events and `calls[]` record. */
export async function invoke<T>(s: SessionCore, cell: CellState, capability: string, target: string, fn: (signal: AbortSignal) => Promise<{ value: T; usage?: Usage }>, index?: number): Promise<T> {
  const callId = `${cell.cellId}.${++cell.callSeq}`;
  s.emit({ type: "capability_call_started", callId, target, ...(index !== undefined ? { index } : {}) }, capability);
  const t0 = performance.now();
  const record = (ok: boolean, usage?: Usage, error?: ScriptError) => {
    const call: CallRecord = { callId, capability, target, ok, durationMs: Math.round(performance.now() - t0), ...(usage ? { usage } : {}), ...(index !== undefined ? { index } : {}), ...(error ? { error: { code: error.code, message: error.message } } : {}) };
    cell.calls.push(call);
    s.emit({ type: "capability_call_completed", call }, capability);
  };
  try {
    const r = await fn(cell.controller.signal);
    record(true, r.usage);
    return r.value;
  } catch (e) {
    const err = asCallError(e, s, capability, target);
    record(false, undefined, err);
    throw err;
  }
}

/**
 * Runs `items` with at most `limit` at a time; results in input order. A failure of
 * one item becomes `null` and a warning, unless it is a limit (which stops the cell).
 */
export async function batch(s: SessionCore, cell: CellState, capability: string, items: Value, limit: Value, one: (item: Value, index: number) => Promise<Value>): Promise<Value> {
  if (!Array.isArray(items)) throw new ScriptError("E-ragsh-invalid-arguments", `\`${capability}\` takes a list of requests, not ${describeType(items)}`, undefined, { capability });
  const span = s.currentSpan();
  const width = Math.max(1, Math.min(s.policy.concurrency, typeof limit === "number" && limit > 0 ? Math.floor(limit) : s.policy.concurrency));
  const out: Value[] = new Array(items.length).fill(null);
  let next = 0;
  let fatal: unknown;
  const worker = async () => {
    while (next < items.length && fatal === undefined) {
      const i = next++;
      try {
        out[i] = await one(items[i], i);
      } catch (e) {
        if (e instanceof LimitError || cell.controller.signal.aborted) {
          fatal ??= e;
          return;
        }
        const err = e instanceof ScriptError ? e : new ScriptError("E-ragsh-capability-failed", String(e));
        cell.warnings.push(diagnostic("W-ragsh-batch-item-failed", `item ${i} of \`${capability}\` failed: ${err.message}`, span, { file: cell.file, label: `item ${i} is null in the result`, help: "the other items completed; retry the failed ones or handle `null`" }));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  if (fatal !== undefined) throw fatal;
  return out;
}
