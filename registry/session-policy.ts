/**
 * The policy of a `.ragsh` session (`repl.md` §3): the limits a script runs under and
 * whether graphs it generates need a review before they can be registered. Configured
 * per project in `rag.config.ts` (`repl: {…}`), read by the REPL and the `repl_agent`
 * node kind. Exceeding a limit stops the cell with a diagnostic; nothing leaks.
 */
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
  /** Graphs a model generated need a review token (an approval of their hash) before `graph_register`. */
  readonly reviewGeneratedGraphs: boolean;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  maxOperations: 1_000_000,
  maxCells: 1_000,
  maxScriptBytes: 64 * 1024,
  maxOutputBytes: 64 * 1024,
  maxMemoryBytes: 64 * 1024 * 1024,
  maxModelCalls: 200,
  maxToolCalls: 200,
  maxAgentCalls: 50,
  maxGraphRuns: 50,
  maxGraphDefinitions: 20,
  maxDepth: 3,
  maxCallDepth: 200,
  concurrency: 4,
  timeoutMs: 60_000,
  reviewGeneratedGraphs: true,
};

/** The default policy with `partial` applied. */
export function sessionPolicy(partial: Partial<SessionPolicy> = {}): SessionPolicy {
  return { ...DEFAULT_SESSION_POLICY, ...partial };
}
