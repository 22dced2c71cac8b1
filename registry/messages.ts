/**
 * Chat messages as they live in a `messages` channel and cross the provider interface.
 * Shape after the OpenAI chat-completions and LangChain message models, normalised:
 * every message has a stable `id` (the `messages` reducer merges by id), tool calls are
 * whole objects with parsed arguments (never partial JSON).
 */
import { canonicalJson, sha256Hex } from "../compiler/canonical.js";

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
  /** The reply's calls: id, tool name, and `toolCallFingerprint` of tool and arguments. */
  readonly calls: readonly { readonly id: string; readonly name: string; readonly fingerprint: string }[];
}

/** SHA-256 (hex) of a call's tool and arguments in canonical JSON: how a recorded call is told from an altered one. */
export function toolCallFingerprint(call: Pick<ToolCall, "name" | "arguments">): string {
  return sealedFingerprints.get(call) ?? sha256Hex(canonicalJson({ tool: call.name, args: call.arguments }));
}

/**
 * Fingerprints of calls that can no longer change: keyed by the call object, entered only
 * by `sealToolCall`, which froze the call and its arguments all the way down first. A call
 * read back from state is the same object when nothing rewrote it, so a `tool_executor`
 * checking it against its `ModelAsk` does not hash it a second time; a call rewritten in
 * state (a `set`, `updateState`, a checkpoint read) is another object, and is hashed.
 */
const sealedFingerprints = new WeakMap<object, string>();

/**
 * `toolCallFingerprint(call)`, after freezing `call` and its `arguments` deeply, remembered
 * for the object so later checks of the same call (`toolCallFingerprint`) are a lookup.
 * `call` must be plain data — arrays and plain or null-prototype objects, no accessors —
 * as a model reply's calls are once `NodeTask.callModel` has copied them (`neutralizeJson`);
 * a call holding anything else is fingerprinted but not remembered.
 */
export function sealToolCall(call: ToolCall): string {
  const fingerprint = sha256Hex(canonicalJson({ tool: call.name, args: call.arguments }));
  if (freezeData(call)) sealedFingerprints.set(call, fingerprint);
  return fingerprint;
}

/** Freezes `v` deeply; false when it reaches something other than plain data (an accessor, a class instance), which it leaves as it is. */
function freezeData(v: unknown): boolean {
  if (v === null || typeof v !== "object") return true;
  if (!Array.isArray(v)) {
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== null && proto !== Object.prototype) return false;
  }
  const descriptors = Object.getOwnPropertyDescriptors(v);
  for (const k of Object.keys(descriptors)) {
    const d = descriptors[k]!;
    if (d.get || d.set) return false;
  }
  Object.freeze(v);
  for (const k of Object.keys(descriptors)) if (!freezeData(descriptors[k]!.value)) return false;
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
