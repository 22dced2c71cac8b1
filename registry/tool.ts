/**
 * Tools: a zod argument schema (exported as JSON Schema to models), a read-only or
 * mutating class, an approval policy, and the implementation (`runtime.md` §7).
 */
import { z } from "zod";
import type { GotoTarget } from "./goto.js";
import { zodSchema } from "./zod-schema.js";

export interface ToolContext {
  readonly signal: AbortSignal;
  readonly runId: string;
  readonly threadId: string;
  readonly node: string;
  /** The tool call id when a model requested the call. */
  readonly callId?: string;
}

export interface ToolDefinition<S extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly description: string;
  /** Argument schema; arguments are validated before `run`. */
  readonly schema: S;
  /**
   * Optional result schema (zod): what `run` returns. Declared, it is checked on every
   * return (a mismatch fails the task with a NodeError naming the tool and the field;
   * the parsed value is the result), shown on the card, exported to the registry
   * snapshot, used by the compiler to check `result.x` reads of a `tool` node, and by
   * `rag simulate` to generate results. A `ToolCommand` return is not checked.
   */
  readonly result?: R;
  /** Read-only tools of one turn run in parallel; mutating ones one at a time, in order. Default false. */
  readonly readOnly?: boolean;
  /** `auto` runs, `ask` pauses for a human, `deny` refuses. Default `auto`. */
  readonly approval?: "auto" | "ask" | "deny";
  /** The tool's output: text or JSON-able data for the tool message, or a `ToolCommand` (`command(…)`) to update state and route. */
  run(args: z.output<S>, ctx: ToolContext): unknown;
}

/** What a tool's `command(…)` carries (LangGraph's `Command` returned from a tool). */
export interface ToolCommandSpec {
  /** State channel → value, written through the channels' reducers (of the parent graph for `graph: "PARENT"`). */
  readonly update?: Readonly<Record<string, unknown>>;
  /**
   * Where control goes next: node names (`"END"` goes nowhere) or Send packets
   * `{ node, args }` — of the graph that runs the tool, or of its parent for
   * `graph: "PARENT"`. Only nodes the blueprint draws from the tool's node (its edges,
   * routes, `command goto` and send targets) are reachable; others are refused with a
   * CapabilityDeniedError (`RunAuthority.checkGoto`).
   */
  readonly goto?: string | GotoTarget | readonly GotoTarget[];
  /** `"PARENT"`: `update` and `goto` address the graph that runs this graph as a subgraph. */
  readonly graph?: "PARENT";
  /**
   * The text of the tool message that answers the call when `update` holds none for the
   * conversation channel (default `""`); unused with `graph: "PARENT"`.
   */
  readonly content?: string;
}

/**
 * A tool's request to change state and control flow (LangGraph's `Command` returned by a
 * tool, which its `ToolNode` hands to the graph: `libs/langgraph-core/src/prebuilt/tool_node.ts`).
 * Carried out by `tool_executor` and `tool` nodes; an agent's own tool loop refuses it.
 */
export class ToolCommand implements ToolCommandSpec {
  readonly update?: Readonly<Record<string, unknown>>;
  readonly goto?: string | GotoTarget | readonly GotoTarget[];
  readonly graph?: "PARENT";
  readonly content?: string;
  constructor(spec: ToolCommandSpec) {
    if (spec.update !== undefined) this.update = spec.update;
    if (spec.goto !== undefined) this.goto = spec.goto;
    if (spec.graph !== undefined) this.graph = spec.graph;
    if (spec.content !== undefined) this.content = spec.content;
  }

  /** `goto` as a list. */
  targets(): readonly GotoTarget[] {
    const g = this.goto;
    return g === undefined ? [] : Array.isArray(g) ? (g as readonly GotoTarget[]) : [g as GotoTarget];
  }
}

/** A `ToolCommand` for a tool to return: `return command({ update: { status: "done" }, goto: "review" })`. */
export function command(spec: ToolCommandSpec): ToolCommand {
  return new ToolCommand(spec);
}

/** True for a tool output that is a `ToolCommand`. */
export function isToolCommand(v: unknown): v is ToolCommand {
  return v instanceof ToolCommand;
}

/** Declares a tool with typed arguments and, optionally, a typed result (inference helper). */
export function tool<S extends z.ZodType, R extends z.ZodType = z.ZodType>(def: ToolDefinition<S, R>): ToolDefinition<S, R> {
  return def;
}

/** Exported schemas per tool definition: a model call offers its tools on every turn. */
const parameters = new WeakMap<ToolDefinition, Readonly<Record<string, unknown>>>();

/**
 * JSON Schema of a tool's arguments (zod's exporter, draft 2020-12). Computed once per
 * definition (definitions are treated as immutable) and returned frozen.
 */
export function toolParameters(def: ToolDefinition): Record<string, unknown> {
  let schema = parameters.get(def);
  if (!schema) {
    schema = deepFreeze(zodSchema(def.schema, "input", "throw"));
    parameters.set(def, schema);
  }
  return schema as Record<string, unknown>;
}

/**
 * A tool's return checked against its declared `result` schema (a returned Command is
 * not: it is control flow, not a result): `{ ok: true, value }` with the parsed value
 * (keys the schema does not name dropped), or `{ ok: false, error }` with zod's error.
 * Without a declared result the return passes as it is. One check for every caller
 * (node tasks, the REPL host).
 */
export function checkToolResult(def: ToolDefinition, out: unknown): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: z.ZodError } {
  if (!def.result || isToolCommand(out)) return { ok: true, value: out };
  const r = def.result.safeParse(out, { reportInput: true });
  return r.success ? { ok: true, value: r.data } : { ok: false, error: r.error };
}

/** Exported result schemas per tool definition (null: none declared, or not exportable). */
const results = new WeakMap<ToolDefinition, Readonly<Record<string, unknown>> | null>();

/**
 * JSON Schema of a tool's declared result (`result:`, zod's exporter, output side), or
 * undefined when it declares none. Cached per definition and frozen; a schema zod
 * cannot represent exports its unrepresentable parts as any (`{}`).
 */
export function toolResultSchema(def: ToolDefinition): Record<string, unknown> | undefined {
  let schema = results.get(def);
  if (schema === undefined) {
    if (!def.result) schema = null;
    else schema = deepFreeze(zodSchema(def.result, "output"));
    results.set(def, schema);
  }
  return (schema ?? undefined) as Record<string, unknown> | undefined;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
