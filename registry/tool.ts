/**
 * Tools: a zod argument schema (exported as JSON Schema to models), a read-only or
 * mutating class, an approval policy, and the implementation (`runtime.md` §7).
 */
import { z } from "zod";

export interface ToolContext {
  readonly signal: AbortSignal;
  readonly runId: string;
  readonly threadId: string;
  readonly node: string;
  /** The tool call id when a model requested the call. */
  readonly callId?: string;
}

export interface ToolDefinition<S extends z.ZodType = z.ZodType> {
  readonly description: string;
  /** Argument schema; arguments are validated before `run`. */
  readonly schema: S;
  /** Read-only tools of one turn run in parallel; mutating ones one at a time, in order. Default false. */
  readonly readOnly?: boolean;
  /** `auto` runs, `ask` pauses for a human, `deny` refuses. Default `auto`. */
  readonly approval?: "auto" | "ask" | "deny";
  run(args: z.output<S>, ctx: ToolContext): unknown;
}

/** Declares a tool with typed arguments (inference helper). */
export function tool<S extends z.ZodType>(def: ToolDefinition<S>): ToolDefinition<S> {
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
    const { $schema: _s, ...rest } = z.toJSONSchema(def.schema, { io: "input" }) as Record<string, unknown>;
    schema = deepFreeze(rest);
    parameters.set(def, schema);
  }
  return schema as Record<string, unknown>;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
