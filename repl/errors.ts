/**
 * The one error a script can raise: a diagnostic in waiting. The interpreter throws a
 * `ScriptError` with a stable `E-ragsh-*` code; the session turns it into a
 * `Diagnostic` with the span of the node being evaluated. Host errors never reach the
 * user as stack traces: `asScriptError` wraps anything else.
 */
import type { Fix } from "../grammar/diagnostic.js";
import type { Span } from "../grammar/span.js";

export interface ScriptErrorExtras {
  readonly help?: string;
  readonly label?: string;
  readonly fixes?: readonly Fix[];
  /** The capability whose call failed, when one did. */
  readonly capability?: string;
}

export class ScriptError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Where it happened; filled in by the interpreter from the current node when absent. */
    public span: Span | undefined = undefined,
    readonly extras: ScriptErrorExtras = {},
  ) {
    super(message);
    this.name = "ScriptError";
  }
}

/** Aborts the cell at once (a limit or the timeout); not catchable by any script construct. */
export class LimitError extends ScriptError {}

/** Any thrown value as a ScriptError: stack overflows become the depth limit, anything else an internal error. */
export function asScriptError(e: unknown, span: Span | undefined): ScriptError {
  if (e instanceof ScriptError) {
    if (!e.span) e.span = span;
    return e;
  }
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return new LimitError("E-ragsh-depth-limit", "the script recursed too deeply for the interpreter's stack", span, { help: "use a loop instead of deep recursion" });
  }
  if (e instanceof RangeError && /string length|array length/i.test(e.message)) {
    return new LimitError("E-ragsh-memory-limit", "the cell built a string or list larger than the interpreter allows", span, { help: "work on smaller pieces (chunks) of the data" });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new ScriptError("E-ragsh-internal", `internal interpreter error: ${message}`, span, { help: "this is a bug in ragraph; please report it with the cell that caused it" });
}
