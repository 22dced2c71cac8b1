/**
 * Chat messages as they live in a `messages` channel and cross the provider interface.
 * Shape after the OpenAI chat-completions and LangChain message models, normalised:
 * every message has a stable `id` (the `messages` reducer merges by id), tool calls are
 * whole objects with parsed arguments (never partial JSON).
 */
import { canonicalSha256 } from "../compiler/canonical.js";

export type Role = "system" | "user" | "assistant" | "tool";

export interface ToolCall {
  /** Provider-assigned or generated id, echoed by the tool result message. */
  readonly id: string;
  readonly name: string;
  /** Parsed JSON arguments. */
  readonly arguments: Record<string, unknown>;
}

/**
 * An image or file sent with a user message (`attach`, `language.md` §5.1): by `url`
 * (`https:`), or inline as base64 `data` with its `mediaType` (`image/png`,
 * `application/pdf`). Providers map it to their own parts: OpenAI `image_url` / `file`,
 * Anthropic `image` / `document` blocks.
 */
export interface ContentPart {
  readonly kind: "image" | "file";
  readonly url?: string;
  /** Base64 (no `data:` prefix). */
  readonly data?: string;
  readonly mediaType?: string;
  /** File name shown to the model (files). */
  readonly name?: string;
}

export interface ChatMessage {
  readonly id: string;
  readonly role: Role;
  readonly content: string;
  /** Author name: the node or agent that produced an assistant message, or a tool's name. */
  readonly name?: string;
  /** Tool calls requested by an assistant message. */
  readonly toolCalls?: readonly ToolCall[];
  /**
   * Written by older versions on assistant messages with tool calls (the asker's `approve`
   * list). Never read: like every field of a message it is data any state write can forge
   * (red team 11); a `tool_executor` applies the asker's list as the runtime recorded it
   * (`ModelAsk`).
   */
  readonly approve?: readonly string[];
  /** For `tool` messages: the call this result answers. */
  readonly toolCallId?: string;
  /** For `user` messages: images and files sent with the text. */
  readonly parts?: readonly ContentPart[];
}

/**
 * What the runtime recorded, out of band, when a model call of a node replied with tool
 * calls (`NodeTask.modelAsk`): which node (and agent) asked, the tools its model was
 * offered, the `approve` lists that gate its calls (the node's and the agent's, from the
 * blueprint), and each call as the model made it (id, tool, SHA-256 of tool and
 * arguments). A `tool_executor` runs only calls it finds here: a message's own `name` and
 * `approve` fields are data that a tool's result, a `set`, the input, a resume value or
 * `updateState` can write (red team 11).
 */
export interface ModelAsk {
  /** The node whose model replied. */
  readonly node: string;
  /** The registered agent whose model replied, for an agent's own calls. */
  readonly agent?: string;
  /** The graph (blueprint id) of `node`. */
  readonly graph: string;
  /** Names of the tools the model was offered (`ChatRequest.tools`). */
  readonly tools: readonly string[];
  /** Tools whose calls wait for a person wherever they run: the node's and the agent's `approve` lists. */
  readonly approve: readonly string[];
  /** The reply's calls: id, tool name, and `toolCallFingerprint` of tool and arguments (`sealToolCall`). */
  readonly calls: readonly AskedCall[];
}

/** One call of a `ModelAsk`: its id, tool, and `toolCallFingerprint` of tool and arguments. */
export interface AskedCall {
  readonly id: string;
  readonly name: string;
  readonly fingerprint: string;
}

/** SHA-256 (hex) of a call's tool and arguments in canonical JSON: how a recorded call is told from an altered one. */
export function toolCallFingerprint(call: Pick<ToolCall, "name" | "arguments">): string {
  return sealedFingerprints.get(call) ?? canonicalSha256({ tool: call.name, args: call.arguments });
}

/**
 * Fingerprints of calls that can no longer change: keyed by the call object, entered
 * only when the `AskedCall` of a call `sealToolCall` froze all the way down is read. A
 * call read back from state is the same object when nothing rewrote it, so it is not
 * hashed again; a call rewritten in state (a `set`, `updateState`, a checkpoint read) is
 * another object, and is hashed.
 */
const sealedFingerprints = new WeakMap<object, string>();

/** The sealed call each `AskedCall` made by `sealToolCall` records. */
const askedCalls = new WeakMap<AskedCall, ToolCall>();

/**
 * The `AskedCall` of a model's call, after freezing `call` and its `arguments` deeply.
 * `call` must be plain data — arrays and plain or null-prototype objects, no accessors —
 * as a model reply's calls are once `NodeTask.callModel` has copied them (`neutralizeJson`).
 *
 * The fingerprint of a sealed call is computed when first read (the record's
 * `fingerprint` is an enumerable getter, so JSON, structured clone and spreads see a
 * string): a run without a checkpointer whose executor runs the very call the model
 * made (`isAskedCall`) never hashes it — a 100-call agent loop with 3.6 KB arguments
 * spent ~2 ms per run hashing. A call holding anything else than plain data is not
 * sealed and is hashed at once, as it reads now.
 */
export function sealToolCall(call: ToolCall): AskedCall {
  if (!freezeData(call)) return Object.freeze({ id: call.id, name: call.name, fingerprint: toolCallFingerprint(call) });
  const asked = Object.defineProperty({ id: call.id, name: call.name }, "fingerprint", LAZY_FINGERPRINT) as AskedCall;
  askedCalls.set(asked, call);
  return Object.freeze(asked);
}

/** The `fingerprint` of a sealed call's `AskedCall`: one getter for all (no closure per call). */
const LAZY_FINGERPRINT: PropertyDescriptor = { enumerable: true, get: askedFingerprint };

function askedFingerprint(this: AskedCall): string {
  const call = askedCalls.get(this);
  if (!call) throw new TypeError("not an AskedCall made by sealToolCall");
  let fingerprint = sealedFingerprints.get(call);
  if (fingerprint === undefined) sealedFingerprints.set(call, (fingerprint = canonicalSha256({ tool: call.name, args: call.arguments })));
  return fingerprint;
}

/**
 * True when `call` is the call `asked` records: the same sealed object (nothing can have
 * changed it), or one with the same id, tool and fingerprint (a call read back from a
 * checkpoint, or a record that was).
 */
export function isAskedCall(asked: AskedCall, call: ToolCall): boolean {
  if (asked.id !== call.id || asked.name !== call.name) return false;
  return askedCalls.get(asked) === call || asked.fingerprint === toolCallFingerprint(call);
}

/**
 * Freezes `v` deeply; false when it reaches something other than plain data: an accessor
 * (its object is frozen by then, as is what came before it) or a class instance (left as
 * it is). Reads one property descriptor at a time: `Object.getOwnPropertyDescriptors`
 * built a dictionary of them per object, at about twice the cost.
 */
function freezeData(v: unknown): boolean {
  if (v === null || typeof v !== "object") return true;
  if (!Array.isArray(v)) {
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== null && proto !== Object.prototype) return false;
  }
  Object.freeze(v);
  for (const k of Object.getOwnPropertyNames(v)) {
    const d = Object.getOwnPropertyDescriptor(v, k)!;
    if (d.get || d.set || !freezeData(d.value)) return false;
  }
  return true;
}

/** True when `v` has the shape of a chat message. */
export function isChatMessage(v: unknown): v is ChatMessage {
  if (!v || typeof v !== "object") return false;
  const m = v as Record<string, unknown>;
  return typeof m.id === "string" && typeof m.role === "string" && typeof m.content === "string";
}

/** Tool calls of `last` that no later `tool` message answers. */
export function pendingToolCalls(messages: readonly ChatMessage[]): { assistant: ChatMessage; calls: ToolCall[] } | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role === "assistant" && m.toolCalls?.length) {
      const answered = new Set<string | undefined>();
      for (let k = i + 1; k < messages.length; k++) if (messages[k].role === "tool") answered.add(messages[k].toolCallId);
      const calls = answered.size ? m.toolCalls.filter((c) => !answered.has(c.id)) : [...m.toolCalls];
      return calls.length ? { assistant: m, calls } : undefined;
    }
    if (m.role === "assistant") return undefined;
  }
  return undefined;
}
