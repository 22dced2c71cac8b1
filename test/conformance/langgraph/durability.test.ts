/**
 * Ported from LangGraph.js `libs/langgraph-core/src/tests/durability.sync.test.ts` and
 * `concurrent-thread-isolation.test.ts`: when a step's checkpoint is committed relative to
 * the next step (durability `sync` / `async`), and one compiled graph serving several
 * threads at once. The `streamEvents` variant has no counterpart (README.md); the
 * `ensureLangGraphConfig` case tests a LangChain config helper and is not ported.
 */
import { describe, expect, it } from "vitest";
import type { BatchOp, Checkpoint, CheckpointMetadata } from "../../../runtime/index.js";
import { MemoryCheckpointer } from "../../../runtime/index.js";
import { buildGraph, sleep } from "../../helpers/run-graph.js";
import { world } from "./helpers.js";

/** Holds the save of the first `loop` checkpoint (step 1) until `release()`; `held` resolves once it is waiting. */
class GateFirstStep extends MemoryCheckpointer {
  private open!: () => void;
  private readonly gate = new Promise<void>((r) => (this.open = r));
  private reached!: () => void;
  readonly held = new Promise<void>((r) => (this.reached = r));
  private async wait(metadata: CheckpointMetadata): Promise<void> {
    if (metadata.source === "loop" && metadata.step === 1) {
      this.reached();
      await this.gate;
    }
  }
  release(): void {
    this.open();
  }
  override async put(checkpoint: Checkpoint, metadata: CheckpointMetadata) {
    await this.wait(metadata);
    return super.put(checkpoint, metadata);
  }
  override async putBatch(ops: readonly BatchOp[]): Promise<void> {
    for (const op of ops) if (op.kind === "put") await this.wait(op.metadata);
    return super.putBatch(ops);
  }
}

function twoSteps(onSecond: () => void, saver: MemoryCheckpointer) {
  const { registry } = world();
  registry.registerNodeKind("second", async () => {
    onSecond();
    return { writes: [["value", "second"]] };
  });
  return buildGraph(`graph g { start first state { value: string } node first { kind set set { value: "first" } next second } node second { kind second next END } }`, { registry, checkpointer: saver }).graph;
}

describe("sync durability", () => {
  // upstream: tests/durability.sync.test.ts "waits for completed-superstep persistence before dispatching the next node via %s"
  it.each(["invoke", "stream"] as const)("waits for completed-superstep persistence before dispatching the next node via %s", async (mode) => {
    const saver = new GateFirstStep();
    let secondStarted = false;
    const g = twoSteps(() => (secondStarted = true), saver);
    const options = { threadId: `sync-${mode}`, durability: "sync" as const };
    const execution =
      mode === "invoke"
        ? g.invoke({ value: "input" }, options).then(() => undefined)
        : (async () => {
            for await (const _ of g.stream({ value: "input" }, options));
          })();
    try {
      await saver.held;
      await sleep(20);
      expect(secondStarted).toBe(false);
    } finally {
      saver.release();
      await execution;
    }
    expect(secondStarted).toBe(true);
  });

  // upstream: tests/durability.sync.test.ts "allows the next node to start while prior persistence is pending in async mode"
  it("allows the next node to start while prior persistence is pending in async mode", async () => {
    const saver = new GateFirstStep();
    let started!: () => void;
    const secondStarted = new Promise<void>((r) => (started = r));
    const g = twoSteps(() => started(), saver);
    const execution = g.invoke({ value: "input" }, { threadId: "async", durability: "async" });
    try {
      await saver.held;
      await secondStarted;
    } finally {
      saver.release();
    }
    expect((await execution).state).toEqual({ value: "second" });
  });
});

describe("concurrent thread isolation", () => {
  // upstream: tests/concurrent-thread-isolation.test.ts "concurrent invokes keep checkpoint state isolated on a singleton graph"
  it("concurrent invokes keep checkpoint state isolated on a singleton graph", async () => {
    const { registry } = world();
    registry.registerNodeKind("agent", async (t) => {
      await sleep(50);
      return { writes: [["messages", `call:${String(t.state.customer)}`]] };
    });
    registry.registerNodeKind("tools", async (t) => ({ writes: [["messages", `recorded:${String(t.state.customer)}:thread=${t.run.threadId}`]] }));
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(`graph g { start agent state { messages: list<string> append  customer: string = "" }
      node agent { kind agent next tools } node tools { kind tools next END } }`, { registry, checkpointer: saver });
    const threads = ["customer-a", "customer-b", "customer-c", "customer-d"];
    const results = await Promise.all(threads.map((customer) => graph.invoke({ messages: [`Order for ${customer}`], customer }, { threadId: customer })));
    for (const [i, customer] of threads.entries()) {
      expect(results[i].state.messages).toEqual([`Order for ${customer}`, `call:${customer}`, `recorded:${customer}:thread=${customer}`]);
      const s = (await graph.getState(customer))!;
      expect(s.values).toEqual(results[i].state);
      expect(s.threadId).toBe(customer);
    }
  });
});
