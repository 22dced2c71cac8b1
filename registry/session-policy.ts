/**
 * The policy of a `.ragsh` session (`repl.md` §3): the limits a script runs under and
 * whether graphs it generates need a review before they can be registered. Configured
 * per project in `rag.config.ts` (`repl: {…}`), read by the REPL and the `repl_agent`
 * node kind. Exceeding a limit stops the cell with a diagnostic; nothing leaks.
 *
 * Every value is validated (zod): a limit that is not a positive integer — `"lots"`,
 * `NaN`, `-1`, `Infinity` — is refused with a `SessionPolicyError` naming the key, never
 * read as "no limit".
 */
import { z } from "zod";

export interface SessionPolicy {
  /** Operations (evaluated syntax nodes) per cell. */
  readonly maxOperations: number;
  /** Cells per session (CodeAct steps count as cells). */
  readonly maxCells: number;
  /** Size of one cell's source, UTF-16 code units (≈ bytes). */
  readonly maxScriptBytes: number;
  /** `print` output per cell, bytes (UTF-16 code units). */
  readonly maxOutputBytes: number;
  /** Memory per cell: approximate bytes of strings and lists a cell builds. */
  readonly maxMemoryBytes: number;
  /**
   * Memory the session keeps between cells: approximate bytes its variables reach, measured
   * after every cell (`repl/retained.ts`). A cell that would leave more fails with
   * `E-ragsh-memory-limit` and its assignments are undone (every variable is cleared when
   * that is not enough).
   */
  readonly maxSessionMemoryBytes: number;
  /** Model calls per session (each item of a batch counts). */
  readonly maxModelCalls: number;
  /** Tool calls per session. */
  readonly maxToolCalls: number;
  /** Agent runs per session. */
  readonly maxAgentCalls: number;
  /** Graph runs per session. */
  readonly maxGraphRuns: number;
  /** `graph_define` calls per session. */
  readonly maxGraphDefinitions: number;
  /** Nesting of sessions and graphs: a script that runs a graph whose node runs a script … (a top-level session is depth 0). */
  readonly maxDepth: number;
  /** Nesting of script function calls. */
  readonly maxCallDepth: number;
  /** Concurrent capability calls of one batched call. */
  readonly concurrency: number;
  /** Wall-clock limit per cell, ms. */
  readonly timeoutMs: number;
  /**
   * Size of a value crossing the session boundary, approximate bytes (8 per item, 2 per
   * character): the cell's value and answer are cut past it (`W-ragsh-value-truncated`),
   * capability arguments refused (`E-ragsh-value-limit`). Nesting is bounded at 64 levels.
   */
  readonly maxValueBytes: number;
  /** Graphs a model generated need a review token (an approval of their hash) before `graph_register`. */
  readonly reviewGeneratedGraphs: boolean;
  /**
   * Which threads of the session's checkpointer a script may read (`graph_history`) or
   * continue (`graph_run({thread})`): `"session"` (default) only those this session's
   * runs created; `"all"` every thread in the checkpointer (an interactive session of a
   * person who owns the checkpoint store). A thread is state of other runs, so a
   * model-written script does not see it unless granted.
   */
  readonly threadAccess: "session" | "all";
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  maxOperations: 1_000_000,
  maxCells: 1_000,
  maxScriptBytes: 64 * 1024,
  maxOutputBytes: 64 * 1024,
  maxMemoryBytes: 64 * 1024 * 1024,
  maxSessionMemoryBytes: 256 * 1024 * 1024,
  maxModelCalls: 200,
  maxToolCalls: 200,
  maxAgentCalls: 50,
  maxGraphRuns: 50,
  maxGraphDefinitions: 20,
  maxDepth: 3,
  maxCallDepth: 200,
  concurrency: 4,
  timeoutMs: 60_000,
  maxValueBytes: 1024 * 1024,
  reviewGeneratedGraphs: true,
  threadAccess: "session",
};

const limit = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const zero = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** The schema of a (partial) policy: unknown keys are refused too (a typo is not a silent default). */
export const SessionPolicySchema = z.strictObject({
  maxOperations: limit,
  maxCells: zero,
  maxScriptBytes: limit,
  maxOutputBytes: limit,
  maxMemoryBytes: limit,
  maxSessionMemoryBytes: limit,
  maxModelCalls: zero,
  maxToolCalls: zero,
  maxAgentCalls: zero,
  maxGraphRuns: zero,
  maxGraphDefinitions: zero,
  maxDepth: zero,
  maxCallDepth: limit,
  concurrency: limit,
  timeoutMs: limit,
  maxValueBytes: limit,
  reviewGeneratedGraphs: z.boolean(),
  threadAccess: z.enum(["session", "all"]),
});

/** An invalid session policy (`repl` in rag.config.ts, or a session's overrides). */
export class SessionPolicyError extends Error {
  readonly code = "E-ragsh-invalid-policy";
  override readonly name = "SessionPolicyError";
  constructor(
    /** The offending keys, e.g. `["maxOperations"]`. */
    readonly keys: readonly string[],
    message: string,
  ) {
    super(message);
  }
}

/**
 * The default policy with `partial` applied; keys whose value is `undefined` keep their default.
 *
 * @throws SessionPolicyError naming each key whose value is not valid (a limit must be a
 *   positive integer, a call budget or depth a non-negative one) or that is unknown.
 */
export function sessionPolicy(partial: Partial<SessionPolicy> = {}): SessionPolicy {
  const given = Object.fromEntries(Object.entries(partial ?? {}).filter(([, v]) => v !== undefined));
  const r = SessionPolicySchema.partial().safeParse(given);
  if (!r.success) {
    const keys = [...new Set(r.error.issues.map((i) => (i.path.length ? String(i.path[0]) : i.code === "unrecognized_keys" ? (i as { keys?: string[] }).keys?.join(", ") ?? "" : "")))];
    const detail = r.error.issues.map((i) => `\`${i.path.length ? i.path.join(".") : (i as { keys?: string[] }).keys?.join(", ") ?? "?"}\`: ${i.message}`).join("; ");
    throw new SessionPolicyError(keys, `invalid session policy: ${detail}`);
  }
  return { ...DEFAULT_SESSION_POLICY, ...r.data };
}
