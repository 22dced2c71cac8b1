/**
 * Run-time control flow (LangGraph's `Command({goto})` returned by a node): ported from
 * LangGraph.js `libs/langgraph-core/src/tests/pregel.test.ts`. A node kind returns
 * `goto` with node names and Send packets (`NodeResult.goto`).
 */
import { describe, expect, it } from "vitest";
import { NodeError, type RunEvent } from "../../../runtime/index.js";
import { eventsOf, failure, nodesPerStep } from "../../helpers/run-graph.js";
import { compile, world } from "./helpers.js";

describe("Command goto at run time", () => {
  // upstream: tests/pregel.test.ts "should handle send sequences correctly" (adapted: a Send carrying
  // a Command is not expressible; node 1 returns goto [Send(2, 3), Send(2, 4), "n3_1"])
  it("should handle send sequences correctly", async () => {
    const { registry } = world();
    registry.registerNodeKind("one", async () => ({ writes: [["items", "1"]], goto: [{ node: "two", args: 3 }, { node: "two", args: 4 }, "n3_1"] }));
    registry.registerNodeKind("two", async (t) => ({ writes: [["items", `2|${String(t.args)}`]] }));
    const g = compile(`graph g { start n1 state { items: list<string> append }
      node n1 { kind one } node two { kind two next n3 } node n3 { kind set set { items: "3" } next END } node n3_1 { kind set set { items: "3.1" } next END } }`, registry);
    const events = await eventsOf(g, { items: ["0"] });
    // task order: the packets' tasks, then the named targets (upstream applies "3.1" first; the set is the same)
    expect(nodesPerStep(events)).toEqual([["n1"], ["two", "two", "n3_1"], ["n3"]]);
    expect((events.at(-1) as Extract<RunEvent, { type: "run_completed" }>).state.items).toEqual(["0", "1", "2|3", "2|4", "3.1", "3"]);
  });

  // upstream: tests/pregel.test.ts "can goto an interrupt" (goto returned by the node, not declared)
  it("can goto an interrupt (returned at run time)", async () => {
    const { registry } = world();
    registry.registerNodeKind("router", async () => ({ goto: ["ask"] }));
    const g = compile(`graph g { start a state { value: list<string> append } node a { kind router } node ask { kind ask next END } }`, registry);
    const r = await g.invoke({}, { threadId: "t" });
    expect(r.status).toBe("interrupted");
    expect((await g.resume("t", { value: "x" })).state.value).toEqual(["human:x"]);
  });

  // upstream: tests/pregel.test.ts "Should throw errors in conditional edges" (a goto naming no node fails the run, naming it)
  it("a goto naming no node fails the run", async () => {
    const { registry } = world();
    registry.registerNodeKind("router", async () => ({ goto: ["nowhere"] }));
    const g = compile(`graph g { start a state { value: list<string> append } node a { kind router } node b { kind push next END } }`, registry);
    const err = await failure(g.invoke({}));
    expect(err).toBeInstanceOf(NodeError);
    expect(err.message).toContain("nowhere");
  });
});
