import { describe, expect, it } from "vitest";
import { messageChars, type ChatMessage } from "../../registry/index.js";

/** What `messageChars` must equal: each message's content plus its tool calls as JSON (as the usage floor counts). */
const expected = (ms: readonly ChatMessage[]) => ms.reduce((n, m) => n + m.content.length + (m.toolCalls ? JSON.stringify(m.toolCalls).length : 0), 0);

const frozen = (m: ChatMessage): ChatMessage => Object.freeze({ ...m, ...(m.toolCalls ? { toolCalls: Object.freeze(m.toolCalls.map((c) => Object.freeze({ ...c, arguments: Object.freeze({ ...c.arguments }) }))) } : {}) });

describe("messageChars (the usage floor's prompt size) over an agent loop's growing conversation", () => {
  it("counts every request exactly as it grows, forks from an earlier turn and mixes in messages that can change", () => {
    const user = frozen({ id: "u", role: "user", content: "hi?" });
    const turns: ChatMessage[] = [user];
    for (let i = 0; i < 6; i++) {
      turns.push(frozen({ id: `a${i}`, role: "assistant", content: "", toolCalls: [{ id: `c${i}`, name: "search", arguments: { query: "x".repeat(10 * i) } }] }));
      turns.push(frozen({ id: `t${i}`, role: "tool", content: `result ${i}`.repeat(i + 1), toolCallId: `c${i}` }));
      // Each turn sends the conversation again (a new array of the same frozen messages).
      const request = [...turns];
      expect(messageChars({ messages: request })).toBe(expected(request));
      expect(messageChars({ messages: request })).toBe(expected(request));
    }
    // A fork: an earlier prefix with a different continuation (time travel, another branch).
    const fork = [...turns.slice(0, 3), frozen({ id: "other", role: "tool", content: "a much longer answer than before".repeat(5), toolCallId: "c0" })];
    expect(messageChars({ messages: fork })).toBe(expected(fork));
    // The fork's message at another position: sized at that position, not the fork's.
    const moved = [...turns, fork[3]!];
    expect(messageChars({ messages: moved })).toBe(expected(moved));
    // A message that is not frozen may change between requests: it is measured each time.
    const editable: ChatMessage & { content: string } = { id: "e", role: "user", content: "short" };
    const withEditable = [...turns, editable];
    expect(messageChars({ messages: withEditable })).toBe(expected(withEditable));
    editable.content = "now a great deal longer than it was";
    expect(messageChars({ messages: withEditable })).toBe(expected(withEditable));
    // The full conversation again after the fork: still exact.
    expect(messageChars({ messages: [...turns] })).toBe(expected(turns));
    // A first message that is not frozen (a system prompt made per call): no memo, same count.
    const system: ChatMessage = { id: "s", role: "system", content: "be brief" };
    expect(messageChars({ messages: [system, ...turns] })).toBe(expected([system, ...turns]));
    expect(messageChars({ messages: [] })).toBe(0);
  });
});
