/**
 * Stream modes show the nodes the user wrote (issue 11 §1.2): a task made for a `send` to
 * a graph or an agent (a stand-in node of that name) is reported under the sending node;
 * subgraph runs' inner `values`/`updates` and ends stay out of user-facing modes unless
 * `subgraphs: true` (LangGraph's option); the raw `events` mode keeps everything.
 */
import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../runtime/index.js";
import { buildGraph, eventsOf } from "../helpers/run-graph.js";

const SOURCE = `graph p { start a state { out: list<any> append }
    node a { kind set send [child { x: 1 } -> out] join b }
    node b { kind subgraph graph "child" next END } }
  graph child { start c state { x: any } output { x: any } node c { kind set set { x: 2 } next END } }`;

const nodes = (events: readonly RunEvent[], type: RunEvent["type"]) => events.filter((e) => e.type === type).map((e) => e.node ?? null);

describe("stream modes and stand-in nodes", () => {
  it("updates: a send to a graph is reported under the sending node; subgraph internals are hidden", async () => {
    const { graph } = buildGraph(SOURCE);
    const events = await eventsOf(graph, {}, { mode: "updates" });
    expect(nodes(events, "updates")).toEqual(["a", "a", "b"]);
    const fromSend = events.find((e): e is Extract<RunEvent, { type: "updates" }> => e.type === "updates" && e.sendTarget !== undefined);
    expect(fromSend).toMatchObject({ node: "a", sendTarget: "child", writes: [{ channel: "out", value: { x: 2 } }] });
    expect(events.every((e) => e.depth === 0)).toBe(true);
    expect(events.filter((e) => e.type === "run_completed")).toHaveLength(1);
  });

  it("values: only the root run's states", async () => {
    const { graph } = buildGraph(SOURCE);
    const events = await eventsOf(graph, {}, { mode: "values" });
    const values = events.filter((e): e is Extract<RunEvent, { type: "values" }> => e.type === "values");
    expect(values.every((e) => "out" in e.values)).toBe(true);
    expect(values.at(-1)!.values).toEqual({ out: [{ x: 2 }] });
  });

  it("subgraphs: true adds the subgraph runs' own updates (by depth)", async () => {
    const { graph } = buildGraph(SOURCE);
    const events = await eventsOf(graph, {}, { mode: "updates", subgraphs: true });
    expect(events.filter((e) => e.type === "updates" && e.depth === 1).map((e) => e.node)).toEqual(["c", "c"]);
  });

  it("events mode keeps the raw record (the stand-in task under its own name)", async () => {
    const { graph } = buildGraph(SOURCE);
    const events = await eventsOf(graph, {});
    expect(nodes(events, "task_started").filter((n) => n === "child")).toHaveLength(1);
  });
});
