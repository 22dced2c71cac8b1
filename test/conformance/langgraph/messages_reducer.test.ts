/**
 * Ported from LangGraph.js `libs/langgraph-core/src/graph/messages_reducer.test.ts`
 * (`messagesStateReducer`): ragraph's `messages` reducer merges chat messages by id.
 * RemoveMessage cases are listed in README.md (ragraph has no remove marker).
 */
import { describe, expect, it } from "vitest";
import { reduce } from "./helpers.js";

const m = (id: string | undefined, content: string, role = "user") => ({ ...(id !== undefined ? { id } : {}), role, content });
const ids = (v: unknown) => (v as { id: string }[]).map((x) => x.id);

describe("messagesStateReducer", () => {
  // upstream: graph/messages_reducer.test.ts "should add a single message"
  it("should add a single message", () => {
    expect(reduce("messages", [m("1", "Hello")], [m("2", "Hi there!", "assistant")])).toEqual([m("1", "Hello"), m("2", "Hi there!", "assistant")]);
  });
  // upstream: graph/messages_reducer.test.ts "should add multiple messages"
  it("should add multiple messages", () => {
    expect(ids(reduce("messages", [m("1", "Hello")], [[m("2", "a"), m("3", "b")]]))).toEqual(["1", "2", "3"]);
  });
  // upstream: graph/messages_reducer.test.ts "should update existing message"
  it("should update existing message", () => {
    expect(reduce("messages", [m("1", "Hello")], [m("1", "Hello again")])).toEqual([m("1", "Hello again")]);
  });
  // upstream: graph/messages_reducer.test.ts "should assign missing IDs"
  it("should assign missing IDs", () => {
    const out = reduce("messages", [], [[m(undefined, "Hello"), m(undefined, "Hi there!")]]) as { id: string }[];
    expect(out).toHaveLength(2);
    expect(out.every((x) => typeof x.id === "string")).toBe(true);
    expect(new Set(ids(out)).size).toBe(2);
  });
  // upstream: graph/messages_reducer.test.ts "should handle duplicates in input"
  it("should handle duplicates in input", () => {
    expect(reduce("messages", [], [[m("1", "Hello"), m("1", "Hello again")]])).toEqual([m("1", "Hello again")]);
  });
  // upstream: graph/messages_reducer.test.ts "should handle mixed operations"
  it("should handle mixed operations", () => {
    expect(reduce("messages", [m("1", "a"), m("2", "b")], [[m("2", "b2"), m("3", "c")]])).toEqual([m("1", "a"), m("2", "b2"), m("3", "c")]);
  });
  // upstream: graph/messages_reducer.test.ts "should handle empty inputs"
  it("should handle empty inputs", () => {
    expect(reduce("messages", [], [[]])).toEqual([]);
    expect(reduce("messages", [m("1", "a")], [[]])).toEqual([m("1", "a")]);
  });
  // upstream: graph/messages_reducer.test.ts "should handle non-array inputs"
  it("should handle non-array inputs", () => {
    expect(reduce("messages", [m("1", "a")], [m("2", "b")])).toEqual([m("1", "a"), m("2", "b")]);
  });
});
