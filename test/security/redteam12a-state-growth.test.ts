/**
 * Red team 12A: `MAX_STEP_WRITE_BYTES` bounds what one step writes, but a loop that adds a
 * shared value to state each step (an append of one string by reference, a new field each
 * step) stays within it step after step while the whole state — `values` streaming,
 * `getState`, a run's result, a resume rebuilding it from its blobs — grows without limit
 * until the process dies. A run's state is now bounded as JSON bytes (`MAX_STATE_BYTES`,
 * 512 MiB; `maxStateBytes` as a run option or the config's `limits`), tracked per channel
 * from the sizes the writes are measured at and charged before a step's writes are applied
 * or saved: the step that would pass it fails the run with `StateSizeError`
 * (`state_too_large`), and the last checkpoint is the last step within the bound.
 */
import { describe, expect, it } from "vitest";
import { overwrite } from "../../registry/index.js";
import { MemoryCheckpointer, StateSizeError } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { buildGraph, runGraph } from "../helpers/run-graph.js";

// Each step appends the same 1,000-character string to `acc` (about 1,003 bytes of JSON a step), ten steps in all.
const LOOP = `graph g {
  start grow
  state { s: string = "${"x".repeat(1000)}"  acc: list<string> append = []  k: number sum = 0 }
  node grow { kind set set { acc: state.s, k: 1 } routes { when state.k < 10 -> grow  else -> END } }
}`;
// About 1,010 bytes to start with and 1,003 a step: five steps fit (≈ 6,025 bytes), the sixth (≈ 7,028) does not.
const BOUND = 6500;

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
const jsonBytes = (v: unknown) => JSON.stringify(v).length;

describe("red team 12A: the size of a run's whole state", () => {
  it("a loop appending a shared string each step fails at the step that would pass the bound, naming graph, node, field and bound", async () => {
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(LOOP, { checkpointer: saver });
    const err = await failure(graph.invoke({}, { threadId: "t", maxStateBytes: BOUND }));
    expect(err).toBeInstanceOf(StateSizeError);
    const e = err as StateSizeError;
    expect(e.code).toBe("state_too_large");
    expect(e).toMatchObject({ limit: BOUND, channel: "acc", graph: "g", node: "grow", step: 6 });
    expect(e.message).toMatch(/graph `g`, node `grow`: .* more than 6500 bytes of JSON \(field `acc` grew\)/);
    // Nothing of the failing step is saved: the last checkpoint is step 5, within the bound.
    const last = (await saver.list("t"))[0].checkpoint;
    expect(last.step).toBe(5);
    expect((last.values.acc as string[]).length).toBe(5);
    expect(jsonBytes(last.values)).toBeLessThanOrEqual(BOUND);
    const state = await graph.getState("t");
    expect((state!.values.acc as string[]).length).toBe(5);
  });

  it("a resume restores the count from the checkpoint: the next step is refused at once, and a larger bound lets the run finish", async () => {
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(LOOP, { checkpointer: saver });
    await failure(graph.invoke({}, { threadId: "t", maxStateBytes: BOUND }));
    const again = await failure(graph.invoke(null, { threadId: "t", maxStateBytes: BOUND }));
    expect(again).toBeInstanceOf(StateSizeError);
    expect((again as StateSizeError).step).toBe(6);
    expect((await saver.list("t"))[0].checkpoint.step).toBe(5);
    const r = await graph.invoke(null, { threadId: "t", maxStateBytes: 20_000 });
    expect(r.status).toBe("completed");
    expect((r.state.acc as string[]).length).toBe(10);
  });

  it("branches of one step that each append the shared string add up: the step is refused as a whole", async () => {
    const fan = `graph g {
  start a
  state { s: string = "${"x".repeat(1000)}"  acc: list<string> append = [] }
  node a { kind set send [w {} for x in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]] join d }
  node w { kind set set { acc: state.s } }
  node d { kind set next END }
}`;
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(fan, { checkpointer: saver });
    const err = await failure(graph.invoke({}, { threadId: "t", maxStateBytes: BOUND }));
    expect(err).toBeInstanceOf(StateSizeError);
    expect(err).toMatchObject({ channel: "acc", node: "w", step: 2 });
    const last = (await saver.list("t"))[0].checkpoint;
    expect(last.step).toBe(1);
    expect(last.values.acc).toEqual([]);
    expect((await graph.invoke({}, { threadId: "u", maxStateBytes: 20_000 })).state.acc).toHaveLength(10);
  });

  it("the bound is a host's run limit too (the config's `limits.maxStateBytes`)", async () => {
    const registry = standardRegistry();
    registry.runLimits = { maxStateBytes: BOUND };
    const err = await failure(runGraph(LOOP, {}, { registry }));
    expect(err).toBeInstanceOf(StateSizeError);
    expect((err as StateSizeError).step).toBe(6);
  });

  it("an overwrite of a list with one item more than it had is measured whole, not as one appended item", async () => {
    const registry = standardRegistry();
    const writes: Record<string, unknown> = { add: "a", replace: overwrite(["X".repeat(3000), "b"]), more: "Y".repeat(3000) };
    registry.registerNodeKind("write", async (t) => ({ writes: [["items", writes[t.node.name]]] }));
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(`graph g { start add state { items: list<string> append }
      node add { kind write next replace } node replace { kind write next more } node more { kind write next END } }`, { registry, checkpointer: saver });
    const err = await failure(graph.invoke({}, { threadId: "t", maxStateBytes: 5000 }));
    expect(err).toMatchObject({ code: "state_too_large", channel: "items", node: "more" });
    const last = (await saver.list("t"))[0].checkpoint;
    expect(last.values.items).toHaveLength(2);
    expect(jsonBytes(last.values)).toBeLessThanOrEqual(5000);
  });

  it("updateState and a resume's update are bounded too: the edit that would pass the bound saves nothing", async () => {
    const registry = standardRegistry();
    registry.runLimits = { maxStateBytes: 5000 };
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(`graph g { start a state { acc: list<string> append = [] } node a { kind set next END } }`, { checkpointer: saver, registry });
    await graph.invoke({}, { threadId: "t" });
    let err: unknown;
    for (let i = 0; i < 10 && !err; i++) err = await failure(graph.updateState("t", { acc: "x".repeat(1000) }));
    expect(err).toMatchObject({ code: "state_too_large", channel: "acc" });
    const last = (await saver.list("t"))[0].checkpoint;
    expect(last.values.acc).toHaveLength(4);
    expect(jsonBytes(last.values)).toBeLessThanOrEqual(5000);
    // An edit that shrinks the state is still allowed.
    await graph.updateState("t", { acc: overwrite([]) });
    expect((await graph.getState("t"))!.values.acc).toEqual([]);

    const paused = buildGraph(`graph g { start a state { acc: list<string> append = [] } node a { kind set next END } interrupt before [a] }`, { checkpointer: saver }).graph;
    expect((await paused.invoke({}, { threadId: "p" })).status).toBe("interrupted");
    const before = (await saver.list("p")).length;
    const refused = await failure(paused.resume("p", { update: { acc: ["x".repeat(3000), "y".repeat(3000)] } }, { maxStateBytes: 5000 }));
    expect(refused).toMatchObject({ code: "state_too_large", channel: "acc" });
    expect(await saver.list("p")).toHaveLength(before);
  });

  it("a `messages` write is bounded at the size the reducer makes of it (each message given an id), before it is saved", async () => {
    const items = Array.from({ length: 300 }, () => `{ role: "user", content: "" }`).join(", ");
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(`graph g {
  start grow
  state { msgs: messages = []  k: number sum = 0 }
  node grow { kind set set { msgs: [${items}], k: 1 } routes { when state.k < 10 -> grow  else -> END } }
}`, { checkpointer: saver });
    const err = await failure(graph.invoke({}, { threadId: "t", maxStateBytes: 10_000 }));
    expect(err).toMatchObject({ code: "state_too_large", channel: "msgs", node: "grow", step: 1 });
    const last = (await saver.list("t"))[0].checkpoint;
    expect(last.values.msgs).toEqual([]);
    expect(jsonBytes(last.values)).toBeLessThanOrEqual(10_000);
  });

  it("a run with modest state is unaffected by the default bound", async () => {
    const r = await runGraph(LOOP);
    expect(r.status).toBe("completed");
    expect((r.state.acc as string[]).length).toBe(10);
    expect(r.steps).toBe(10);
  });
});
