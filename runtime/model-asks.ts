/**
 * The provenance of tool calls (red team 11): which node's model asked for the calls of an
 * assistant message, recorded by the runtime when the model replied (`NodeTask.callModel`)
 * and kept out of band — in the task's completion record and the checkpoint
 * (`Checkpoint.asks`), never in state — so no state write can forge it. A message's `name`
 * and `approve` fields are data: a tool's result written with `writes messages`, a `set`,
 * the input, a resume value or `updateState` can put any of them there, and a
 * `tool_executor` that trusted them ran a call no model asked for, without the approval the
 * asking node's `approve` list demands.
 *
 * Only the conversation's last assistant message can hold pending calls
 * (`pendingToolCalls`), so only its record is kept from one superstep to the next
 * (`prune`): the checkpoint carries at most one.
 */
import type { ChatMessage, ModelAsk } from "../registry/index.js";

/** Records by message id: the run's own, then (for a child run) those of the runs enclosing it. */
export class ModelAsks {
  private readonly own = new Map<string, ModelAsk>();
  /** The enclosing run's records (a child run reads the conversation its parent handed in). */
  enclosing: ModelAsks | undefined;

  /** @param saved the records a checkpoint kept (`Checkpoint.asks`). */
  constructor(saved?: Readonly<Record<string, ModelAsk>>) {
    if (saved) for (const id of Object.keys(saved)) this.own.set(id, saved[id]);
  }

  /** Adds the records of a completed task (`TaskOutcome.asks`), applied with its writes. */
  add(asks: Readonly<Record<string, ModelAsk>>): void {
    for (const id of Object.keys(asks)) this.own.set(id, asks[id]);
  }

  /** The record of message `id`: this run's, else an enclosing run's. */
  find(id: string): ModelAsk | undefined {
    return this.own.get(id) ?? this.enclosing?.find(id);
  }

  /** Keeps only the record of the conversation's last assistant message (`state[channel]`), the one whose calls may be pending. */
  prune(state: Readonly<Record<string, unknown>>, channel: string | undefined): void {
    if (!this.own.size) return;
    const last = channel !== undefined ? lastAssistantId(state[channel]) : undefined;
    // Deleting the entry at hand while iterating a Map is defined (no copy of the keys per superstep).
    for (const id of this.own.keys()) if (id !== last) this.own.delete(id);
  }

  /** The records to save with a checkpoint; undefined when there are none. */
  saved(): Record<string, ModelAsk> | undefined {
    if (!this.own.size) return undefined;
    const out: Record<string, ModelAsk> = Object.create(null) as Record<string, ModelAsk>;
    for (const [id, ask] of this.own) out[id] = ask;
    return out;
  }
}

/** The id of the last assistant message of a conversation, if any. */
function lastAssistantId(v: unknown): string | undefined {
  if (!Array.isArray(v)) return undefined;
  for (let i = v.length - 1; i >= 0; i--) {
    const m = v[i] as ChatMessage | undefined;
    if (m && m.role === "assistant") return typeof m.id === "string" ? m.id : undefined;
  }
  return undefined;
}
