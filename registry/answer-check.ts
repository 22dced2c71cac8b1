/**
 * Answer checks by question type: a node kind that asks a question of its own shape (an
 * interrupt payload `{ type: "tool_approval", … }`, stdlib/kinds/approval.ts) registers how
 * an answer to it is judged, so the runtime refuses a malformed answer where a resume is
 * accepted — before it is recorded, the question staying open — without knowing the shape
 * itself (the runtime comes before the stdlib; `Registry.registerAnswerCheck`).
 */

/** A pending question as an answer check sees it (a runtime `PendingInterrupt`). */
export interface AskedQuestion {
  /** The interrupt id (`2.0#0`). */
  readonly id: string;
  /** The node that asked. */
  readonly node: string;
  /** The task that asked. */
  readonly taskId?: string;
  /** What the node asked with (its `type` chose this check). */
  readonly payload?: unknown;
}

/**
 * Judges one answer to a question whose payload's `type` it was registered for: returns why
 * the answer is refused (a whole sentence naming the question; the runtime raises it as
 * `InvalidResumeError`), or undefined to accept it. Must not throw and must not keep the answer.
 */
export type AnswerCheckHook = (question: AskedQuestion, answer: unknown, where: { readonly threadId: string }) => string | undefined;

/** The `type` field of an interrupt payload, when it is a string (the key of `Registry.answerChecks`). */
export function payloadType(payload: unknown): string | undefined {
  if (!payload || typeof payload !== "object") return undefined;
  const t = (payload as { type?: unknown }).type;
  return typeof t === "string" ? t : undefined;
}
