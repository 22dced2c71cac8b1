/**
 * Interrupts (`runtime.md` §4, after LangGraph's `interrupt()` / `Command(resume=…)`):
 * a node calls `interrupt(payload)`; without a resume value for that call the task
 * stops with a `GraphInterrupt` signal, the run saves the checkpoint that makes it
 * resumable and pauses. On resume the task runs again from its start, and the same call
 * returns the value. Graph-level `interrupt before|after [nodes]` pause around tasks.
 */
import type { Blueprint } from "../compiler/index.js";
import { didYouMean } from "../grammar/suggest.js";
import type { PendingInterrupt } from "./checkpoint/types.js";
import { InvalidResumeError, ResumeTooLargeError } from "./errors.js";
import { checkJsonBounds, DEFAULT_JSON_DEPTH, neutralizeJson, UnsafeJsonError } from "./safe-json.js";
import type { PlannedTask } from "./planner-state.js";

/**
 * The control-flow signal a paused task throws (not an error: it is never retried and
 * never fails the run). Node implementations that catch everything must rethrow it
 * (`isInterrupt(e)`).
 */
export class GraphInterrupt extends Error {
  constructor(readonly interrupts: readonly PendingInterrupt[]) {
    super(`paused on ${interrupts.map((i) => i.id).join(", ")}`);
    this.name = "GraphInterrupt";
  }
}

/** True for the signal a paused task throws (rethrow it from catch-all handlers). */
export function isInterrupt(e: unknown): e is GraphInterrupt {
  return e instanceof GraphInterrupt;
}

/** How a paused run continues (`resume(thread, command)`). */
export interface ResumeCommand {
  /** The answer when one interrupt is pending. */
  readonly value?: unknown;
  /** Answers by interrupt id (several pending interrupts). */
  readonly values?: Readonly<Record<string, unknown>>;
  /** Steering instructions for the resumed run, recorded in the next checkpoint's metadata (not a resume value). */
  readonly steering?: string;
  /**
   * State written before resuming (LangGraph's `Command({resume, update})`): an
   * `updateState` of the thread (no `asNode`, so the paused tasks stay scheduled), then
   * the resume from the checkpoint it made.
   */
  readonly update?: Readonly<Record<string, unknown>>;
}

/** Judges one answer to one pending interrupt before it is recorded; throws InvalidResumeError to refuse it (`typedAnswerCheck`). */
export type AnswerCheck = (interrupt: PendingInterrupt, value: unknown) => void;

/** Largest resume command accepted, in characters of its JSON text (1 MiB): answers, `update` and `steering` together. */
export const MAX_RESUME_BYTES = 1024 * 1024;

/** Deepest nesting accepted in a resume command's values (the untrusted-JSON default, 256). */
export const MAX_RESUME_DEPTH = DEFAULT_JSON_DEPTH;

/** The keys a resume command has (`ResumeCommand`). */
const RESUME_KEYS: ReadonlySet<string> = new Set(["value", "values", "steering", "update"]);

/**
 * Charges a whole resume command against `MAX_RESUME_BYTES` / `MAX_RESUME_DEPTH` before
 * any work (no checkpoint read, no `updateState`, no copy kept): the walk stops as soon as
 * the bound is passed, so a huge or shared-reference value costs at most the bound.
 * Forbidden keys are judged later, where each answer is copied (`answerInterrupts`).
 * A key the command does not have is refused first: LangGraph's `Command({ goto })` or
 * `{ graph }` would otherwise be dropped without a word, and the run go elsewhere.
 * @throws InvalidResumeError for a key other than `value`, `values`, `update`, `steering`.
 * @throws ResumeTooLargeError past a bound.
 */
export function checkResumeCommand(threadId: string, command: ResumeCommand, where: { readonly graph?: string } = {}): void {
  for (const key of Object.keys(command)) {
    if (RESUME_KEYS.has(key)) continue;
    const how = key === "goto" ? ": a resume does not route (LangGraph's `Command({ goto })`); to schedule the successors of a node, edit the thread with `updateState(thread, values, { asNode })` and resume" : "";
    throw new InvalidResumeError(`the resume command (thread \`${threadId}\`) has no \`${key.slice(0, 64)}\`; it takes \`value\`, \`values\`, \`update\` and \`steering\`${how}`, where);
  }
  try {
    checkJsonBounds([command.value ?? null, command.values ?? null, command.update ?? null, command.steering ?? null], { maxBytes: MAX_RESUME_BYTES, maxDepth: MAX_RESUME_DEPTH + 1 });
  } catch (e) {
    throw resumeRefusal(threadId, "the resume command", e, where);
  }
}

function resumeRefusal(threadId: string, what: string, e: unknown, where: { readonly graph?: string }): Error {
  if (!(e instanceof UnsafeJsonError)) return e as Error;
  const message = `${what} (thread \`${threadId}\`) is refused: ${e.message}`;
  if (e.code === "too_large" || e.code === "too_deep") return new ResumeTooLargeError(`${message}; a resume command may hold at most ${MAX_RESUME_BYTES} bytes of JSON nested ${MAX_RESUME_DEPTH} deep`, MAX_RESUME_BYTES, MAX_RESUME_DEPTH, where);
  return new InvalidResumeError(message, where);
}

/** True when a blueprint can pause (interrupt nodes or graph-level interrupts). */
export function graphInterrupts(bp: Blueprint): boolean {
  return bp.interrupts.before.length > 0 || bp.interrupts.after.length > 0 || bp.nodes.some((n) => n.kind === "interrupt");
}

/** No graph-level pause (shared and frozen: a checkpoint of every superstep holds it). */
export const NO_INTERRUPTS: readonly PendingInterrupt[] = Object.freeze([]);

/** Graph-level pauses of a checkpoint: `after` the nodes that just ran, `before` the next tasks (a shared frozen empty list when none). */
export function boundaryInterrupts(bp: Blueprint, ran: readonly PlannedTask[], next: readonly PlannedTask[], namespace: string): readonly PendingInterrupt[] {
  const { before, after } = bp.interrupts;
  if (!before.length && !after.length) return NO_INTERRUPTS;
  const out: PendingInterrupt[] = [];
  for (const t of ran) if (!t.implicit && after.includes(t.node)) out.push({ id: `after:${t.id}`, kind: "after", node: t.node, taskId: t.id, namespace });
  for (const t of next) if (!t.implicit && before.includes(t.node)) out.push({ id: `before:${t.id}`, kind: "before", node: t.node, taskId: t.id, namespace });
  return out.length ? out : NO_INTERRUPTS;
}

/**
 * Merges a resume command into the answers already recorded for a checkpoint.
 * Graph-level interrupts need no value (they are answered with `null` unless given one);
 * an interrupt whose payload lists `options` only accepts one of them (a string, or an
 * object with a `choice` or `route` field).
 *
 * Every answer is untrusted data (a person, an HTTP body, a queued job): it is copied
 * with `neutralizeJson` — null-prototype objects, no `__proto__`/`constructor`/`prototype`
 * key, bounded nesting — before any node sees it, whichever path it came by.
 *
 * @throws InvalidResumeError for an unknown id, a value that cannot be assigned to one
 *   interrupt, a value outside the options, an unsafe value (a forbidden key, too deep),
 *   or (with `requireAnswer`) no answer to any pending node interrupt (nothing could make
 *   progress); `checkAnswer` refuses an answer the same way (a typed `resume` answer that
 *   does not match its type: `typedAnswerCheck`), before anything is recorded.
 */
export function answerInterrupts(
  threadId: string,
  pending: readonly PendingInterrupt[],
  recorded: Readonly<Record<string, unknown>>,
  command: ResumeCommand | undefined,
  options: { readonly requireAnswer?: boolean; readonly checkAnswer?: AnswerCheck } = {},
): Record<string, unknown> {
  const answers: Record<string, unknown> = { ...recorded };
  const ids = pending.map((i) => i.id);
  const list = () => (ids.length ? ids.map((i) => `\`${i}\``).join(", ") : "none");
  const given: Record<string, unknown> = {};
  if (command?.values) {
    for (const [id, v] of Object.entries(command.values)) {
      if (!ids.includes(id)) throw new InvalidResumeError(`thread \`${threadId}\` has no pending interrupt \`${id}\` (pending: ${list()})`);
      given[id] = v;
    }
  }
  if (command && "value" in command && command.value !== undefined) {
    const open = pending.filter((i) => i.kind === "node" && !(i.id in given));
    const target = open.length === 1 ? open[0] : open.length === 0 && pending.length === 1 ? pending[0] : undefined;
    if (!target) {
      throw new InvalidResumeError(
        pending.length
          ? `thread \`${threadId}\` has ${open.length} pending interrupts that need a value (${open.map((i) => `\`${i.id}\``).join(", ")}); answer each by id, e.g. {"${open[0]?.id}": …}`
          : `thread \`${threadId}\` has no pending interrupt to give a resume value to`,
      );
    }
    given[target.id] = command.value;
  }
  for (const id of Object.keys(given)) {
    try {
      given[id] = neutralizeJson(given[id], { maxBytes: MAX_RESUME_BYTES, maxDepth: MAX_RESUME_DEPTH });
    } catch (e) {
      throw resumeRefusal(threadId, `the answer to interrupt \`${id}\``, e, {});
    }
  }
  for (const i of pending) {
    if (i.id in given) {
      checkOptions(threadId, i, given[i.id]);
      options.checkAnswer?.(i, given[i.id]);
      answers[i.id] = given[i.id];
    } else if (i.kind !== "node") answers[i.id] = null;
  }
  const open = pending.filter((i) => i.kind === "node");
  if (options.requireAnswer && open.length && open.every((i) => !(i.id in answers))) {
    throw new InvalidResumeError(
      `thread \`${threadId}\` is waiting for ${open.length === 1 ? "an answer" : "answers"}: ${open.map((i) => `\`${i.id}\` (node \`${i.node}\`)`).join(", ")}; give ${open.length === 1 ? "it" : "them by id"} as the resume value`,
    );
  }
  return answers;
}

function checkOptions(threadId: string, i: PendingInterrupt, value: unknown): void {
  const options = (i.payload as { options?: unknown } | undefined)?.options;
  if (!Array.isArray(options) || !options.length) return;
  const choice = chosenOption(value);
  if (choice === undefined || !options.includes(choice)) {
    const near = typeof choice === "string" ? didYouMean(choice, options.filter((o): o is string => typeof o === "string")) : undefined;
    throw new InvalidResumeError(`interrupt \`${i.id}\` (node \`${i.node}\`, thread \`${threadId}\`) expects one of ${options.map((o) => JSON.stringify(o)).join(", ")}, got ${JSON.stringify(value)}${near === undefined ? "" : `; did you mean ${JSON.stringify(near)}?`}`);
  }
}

/** The option a resume value picks: the string itself, or its `choice` / `route` field. */
export function chosenOption(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object") {
    const v = value as { choice?: unknown; route?: unknown };
    if (typeof v.choice === "string") return v.choice;
    if (typeof v.route === "string") return v.route;
  }
  return undefined;
}
