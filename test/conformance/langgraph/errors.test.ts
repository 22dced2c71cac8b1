/**
 * Ported from LangGraph.js `libs/langgraph-core/src/tests/errors.test.ts`.
 */
import { expect, it } from "vitest";
import { InvalidConcurrentUpdateError, InvalidUpdateError, NodeError } from "../../../runtime/index.js";
import { failure } from "../../helpers/run-graph.js";
import { compile, world } from "./helpers.js";

// upstream: tests/errors.test.ts "StateGraph concurrent state value update fails"
it("StateGraph concurrent state value update fails", async () => {
  const { registry } = world();
  const g = compile(`graph g { start s state { foo: string } node s { kind set set { foo: "s" } next [a, b] } node a { kind set set { foo: "a" } next END } node b { kind set set { foo: "b" } next END } }`, registry);
  const err = await failure(g.invoke({}));
  expect(err).toBeInstanceOf(InvalidConcurrentUpdateError);
});

// upstream: tests/errors.test.ts "StateGraph bad return type"
it("StateGraph bad return type", async () => {
  const { registry } = world();
  registry.registerNodeKind("bad", async () => ({ writes: [["count", "not a number"]] }));
  const g = compile(`graph g { start a state { count: integer = 0 } node a { kind bad next END } }`, registry);
  const err = await failure(g.invoke({}));
  expect(err).toBeInstanceOf(InvalidUpdateError);
  expect(err.message).toContain("count");
});

// upstream: tests/errors.test.ts "Should throw errors in conditional edges"
it("Should throw errors in conditional edges", async () => {
  const { registry } = world();
  registry.registerNodeKind("chooser", async () => ({ route: "nowhere" }));
  const g = compile(`graph g { start a state { value: list<string> append } node a { kind chooser routes { left -> b  right -> END } } node b { kind push next END } }`, registry);
  const err = await failure(g.invoke({}));
  expect(err).toBeInstanceOf(NodeError);
  expect(err.message).toContain("nowhere");
});
