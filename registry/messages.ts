/**
 * Chat messages as they live in a `messages` channel and cross the provider interface.
 * Shape after the OpenAI chat-completions and LangChain message models, normalised:
 * every message has a stable `id` (the `messages` reducer merges by id), tool calls are
 * whole objects with parsed arguments (never partial JSON).
 */

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
   * For assistant messages with tool calls: the tools whose calls wait for a person's
   * approval wherever they run — the `approve` list of the node (and inline agent) that
   * asked. It travels with the calls, so an executor of another graph (the conversation
   * handed to a subgraph) asks too: it cannot find the asker by `name` among its own nodes.
   */
  readonly approve?: readonly string[];
  /** For `tool` messages: the call this result answers. */
  readonly toolCallId?: string;
  /** For `user` messages: images and files sent with the text. */
  readonly parts?: readonly ContentPart[];
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
