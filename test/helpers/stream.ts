/** Test helper: streaming callbacks that record what a provider streamed, in order. */
import type { StreamCallbacks, ToolCall } from "../../registry/index.js";

export type Streamed = { readonly kind: "text"; readonly text: string } | { readonly kind: "tool_call"; readonly call: ToolCall };

export function recorder(): { readonly cb: Required<StreamCallbacks>; readonly seen: Streamed[]; texts(): string[]; calls(): ToolCall[] } {
  const seen: Streamed[] = [];
  return {
    seen,
    cb: { onToken: async (text) => void seen.push({ kind: "text", text }), onToolCall: async (call) => void seen.push({ kind: "tool_call", call }) },
    texts: () => seen.flatMap((s) => (s.kind === "text" ? [s.text] : [])),
    calls: () => seen.flatMap((s) => (s.kind === "tool_call" ? [s.call] : [])),
  };
}
