/**
 * Ported from LangGraph.js `libs/langgraph-core/src/graph/messages_reducer.test.ts`
 * (`messagesStateReducer`): ragraph's `messages` reducer merges chat messages by id.
 * RemoveMessage / REMOVE_ALL_MESSAGES cases differ (difference 12): a remove marker is no
 * message, so writing one fails the write (InvalidUpdateError naming the field) and nothing
 * is removed; the ragraph way is `overwrite(filtered)`, checked against upstream's result.
 */
import { describe, expect, it } from "vitest";
import { overwrite } from "../../../registry/index.js";
import { InvalidUpdateError } from "../../../runtime/index.js";
import { compile, reduce, world } from "./helpers.js";

/** A thread whose `messages` hold `initial`; `edit(update)` writes through `updateState` and returns the messages. */
async function conversation(initial: unknown[]) {
  const { registry } = world();
  registry.registerNodeKind("seed", async () => ({ writes: [["messages", initial]] }));
  const g = compile(`graph g { start seed state { messages: messages } node seed { kind seed next END } }`, registry);
  await g.invoke({}, { threadId: "t" });
  return {
    edit: async (update: unknown) => (await g.updateState("t", { messages: update })).values.messages,
    now: async () => (await g.getState("t"))!.values.messages,
  };
}
/** LangGraph's `new RemoveMessage({ id })` as it arrives over the wire. */
const remove = (id: string) => ({ type: "remove", id, content: "" });

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

  const removal: [string, unknown[], unknown, unknown[]][] = [
    // [upstream title, messages, what upstream writes, what upstream's reducer returns]
    ["should remove message", [m("1", "Hello"), m("2", "Hi there!", "assistant")], remove("2"), [m("1", "Hello")]],
    ["should handle duplicates with remove", [m("1", "Hello!", "assistant")], [remove("1"), m("1", "Hello again!", "assistant")], [m("1", "Hello again!", "assistant")]],
    ["should handle duplicate remove messages", [m("1", "Hello"), m("2", "Hi there!", "assistant")], [remove("2"), remove("2")], [m("1", "Hello")]],
    ["should remove all messages", [m("a", "Hello"), m("b", "Hi there!", "assistant")], [remove("__remove_all__"), m("1", "Updated hello")], [m("1", "Updated hello")]],
  ];
  for (const [title, initial, update, upstream] of removal) {
    // upstream: graph/messages_reducer.test.ts (the title) — differs: difference 12
    it(`${title} (differs: a remove marker is refused; overwrite(filtered) removes)`, async () => {
      const c = await conversation(initial);
      const err = await c.edit(update).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidUpdateError);
      expect((err as InvalidUpdateError).message).toMatch(/field `messages`: expected messages/);
      expect(await c.now()).toEqual(initial);
      expect(await c.edit(overwrite(upstream))).toEqual(upstream);
    });
  }
  // upstream: graph/messages_reducer.test.ts "should throw on removing nonexistent message"
  // (differs: difference 12 — a remove marker is refused whatever id it names)
  it("should throw on removing nonexistent message (differs: a remove marker is refused whatever its id)", async () => {
    const c = await conversation([m("1", "Hello")]);
    await expect(c.edit(remove("2"))).rejects.toBeInstanceOf(InvalidUpdateError);
    expect(await c.now()).toEqual([m("1", "Hello")]);
  });
});
