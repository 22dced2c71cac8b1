/**
 * Ported from LangGraph.js `libs/langgraph-core/src/pregel/io.mapCommand.test.ts`: how a
 * `Command` given as a run's input is turned into writes. Upstream asserts the writes
 * `mapCommand` yields; here the same commands go through `graph.resume(thread, command)`
 * and the case asserts what the thread does with them. A resume command is
 * `{ value, values, update, steering }`: it answers and edits, it does not route
 * (docs/langgraph-differences.md).
 */
import { describe, expect, it } from "vitest";
import { InvalidResumeError, InvalidUpdateError } from "../../../runtime/index.js";
import { failure } from "../../helpers/run-graph.js";
import { compile, world } from "./helpers.js";

/** A thread paused in `ask` (between `a` and `b`), and its graph. */
async function paused(thread = "t") {
  const { registry, called } = world();
  const g = compile(`graph g { start a state { value: list<string> append } node a { kind push next ask } node ask { kind ask next b } node b { kind push next END } }`, registry);
  const r = await g.invoke({}, { threadId: thread });
  expect(r.status).toBe("interrupted");
  called.length = 0;
  return { g, called, interrupt: r.interrupts[0]! };
}

describe("mapCommand (io.mapCommand.test.ts)", () => {
  // upstream: pregel/io.mapCommand.test.ts "should handle Command with resume (single value)"
  it("should handle Command with resume (single value)", async () => {
    const { g } = await paused();
    expect((await g.resume("t", { value: "yes" })).state.value).toEqual(["a", "human:yes", "b"]);
  });

  // upstream: pregel/io.mapCommand.test.ts "should handle Command with resume (object of interrupt IDs)"
  it("should handle Command with resume (object of interrupt IDs)", async () => {
    const { g, interrupt } = await paused();
    expect((await g.resume("t", { values: { [interrupt.id]: "by id" } })).state.value).toEqual(["a", "human:by id", "b"]);
  });

  // upstream: pregel/io.mapCommand.test.ts "should handle Command with update (object)"
  // (the update is written before the paused task runs again: it sees it)
  it("should handle Command with update (object)", async () => {
    const { g } = await paused();
    expect((await g.resume("t", { value: "yes", update: { value: "edited" } })).state.value).toEqual(["a", "edited", "human:yes", "b"]);
  });

  // upstream: pregel/io.mapCommand.test.ts "should throw error for invalid update type"
  // (a string, or a list, used to be read as an object: "`0` is not a state field")
  it("should throw error for invalid update type", async () => {
    const { g, called } = await paused();
    for (const update of ["not an object", 42]) {
      const err = await failure(g.resume("t", { value: "yes", update: update as never }));
      expect(err).toBeInstanceOf(InvalidUpdateError);
      expect(err.message).toMatch(/must be an object of state fields .*not a (string|number)/);
    }
    expect(called).toEqual([]);
    expect((await g.getState("t"))!.interrupts).toHaveLength(1);
  });

  // upstream: pregel/io.mapCommand.test.ts "should handle Command with update (array of tuples)"
  // (differs: `update` is an object of fields; LangGraph also takes `[[key, value], …]`, which may
  // name a key twice. The list is refused; two writes of one field in one edit are a node kind's
  // `writes` list, or two `updateState` calls)
  it("should handle Command with update (array of tuples) (differs: update is an object; a list is refused)", async () => {
    const { g, called } = await paused();
    const err = await failure(g.resume("t", { value: "yes", update: [["value", "x"], ["value", "y"]] as never }));
    expect(err).toBeInstanceOf(InvalidUpdateError);
    expect(err.message).toMatch(/not a list/);
    expect(called).toEqual([]);
  });

  // upstream: pregel/io.mapCommand.test.ts "should handle Command with goto (string)"
  // (differs: LangGraph's `Command({ goto })` as input schedules that node; a resume command does
  // not route, so a `goto` is refused before anything runs instead of being dropped. To schedule a
  // node's successors: updateState(thread, values, { asNode }), then resume)
  it("should handle Command with goto (string) (differs: a resume does not route; goto is refused, asNode schedules)", async () => {
    const { g, called } = await paused();
    const err = await failure(g.resume("t", { value: "yes", goto: "b" } as never));
    expect(err).toBeInstanceOf(InvalidResumeError);
    expect(err.message).toMatch(/has no `goto`.*asNode/);
    expect(called).toEqual([]);
    // the ragraph way: write as the paused node, whose successor `b` is then scheduled
    const edited = await g.updateState("t", { value: "skipped" }, { asNode: "ask" });
    expect(edited.next.map((t) => t.node)).toEqual(["b"]);
    expect((await g.invoke(null, { threadId: "t" })).state.value).toEqual(["a", "skipped", "b"]);
  });

  // upstream: pregel/io.mapCommand.test.ts "should throw error for parent graph reference when none exists"
  // (a Command for the parent graph given to the root graph: refused, nothing runs)
  it("should throw error for parent graph reference when none exists", async () => {
    const { g, called } = await paused();
    await expect(g.resume("t", { value: "yes", graph: "PARENT" } as never)).rejects.toBeInstanceOf(InvalidResumeError);
    expect(called).toEqual([]);
  });
});
