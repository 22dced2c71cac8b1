/**
 * Upper bounds on the numeric limits a `.rag` file may set (`language.md` §2.1 "Limits
 * and their caps"). Each limit bounds work the runtime does on the file's behalf —
 * supersteps, attempts of a task, model turns of an agent loop — and each of those can
 * call a model, so a value past its cap (`recursion_limit 1e9`) is not a limit at all.
 * The compiler reports a larger value (`E-rag-limit-too-large`); the runtime clamps a
 * Blueprint built without the compiler (the TS builder, a hand-written IR) to the cap.
 * A host's own options (`RunOptions.recursionLimit`) are not capped: the host is trusted.
 */
export const LIMIT_CAPS = {
  /** `defaults { recursion_limit }`: supersteps of one invocation (LangGraph's default is 25). */
  recursion_limit: 10_000,
  /** `retry { max_attempts }` (node or `defaults`): attempts of one task. */
  max_attempts: 20,
  /** `max_steps` (agent, subagent, CodeAct nodes, inline agents): model turns of one agent loop. */
  max_steps: 1_000,
} as const;

/**
 * `value` clamped to the cap of limit `key`: `Infinity` is the cap, NaN stays NaN (no loop
 * runs under it), and a value that is not a number at all (a string in a hand-edited IR)
 * is the cap. (Returning non-finite values as they were let `max_steps: Infinity` run an
 * agent loop without end, and `"5000"` compared as 5,000.)
 */
export function capLimit(key: keyof typeof LIMIT_CAPS, value: number): number {
  return typeof value === "number" ? Math.min(value, LIMIT_CAPS[key]) : LIMIT_CAPS[key];
}
