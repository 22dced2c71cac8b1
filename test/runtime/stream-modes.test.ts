/**
 * Stream modes (`runtime.md` §6): `values` (state after each step), `updates` (each
 * task's writes), `messages` (model tokens as they stream), `events` (everything); each
 * ends with the run's end event, every item carries the run's ids, and in every mode a
 * slow consumer slows the run instead of making it buffer without bound.
 */
import { describe, expect, it } from "vitest";
import type { ChatOptions, ChatRequest, ChatResponse, ModelProvider } from "../../registry/index.js";
import { BoundedStream, MemoryCheckpointer, type RunEvent, type StreamMode } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { buildGraph, registerProbe, sleep } from "../helpers/run-graph.js";

type Ev<T extends RunEvent["type"]> = Extract<RunEvent, { type: T }>;

async function collect(it: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

/** A provider whose replies are fixed text streamed word by word through `onToken` (a test double for the model's replies only). */
function streamingProvider(text: string, calls: { streamed: boolean }[] = []): ModelProvider {
  return {
    name: "words",
    async chat(_req: ChatRequest, options?: ChatOptions): Promise<ChatResponse> {
      calls.push({ streamed: Boolean(options?.onToken) });
      if (options?.onToken) for (const w of text.split(/(?<= )/)) await options.onToken(w);
      return { message: { content: text }, usage: { inputTokens: 1, outputTokens: 1 }, finishReason: "stop" };
    },
  };
}

const chain = (n: number, kind = "probe") => `graph chain { start n0 state { i: number = 0 } ${Array.from({ length: n }, (_, i) => `node n${i} { kind ${kind} set { i: ${i + 1} } ${i + 1 < n ? `next n${i + 1}` : "next END"} }`).join("\n")} }`;

describe("stream modes", () => {
  it("values: the state after the input and after each superstep, then run_completed", async () => {
    const registry = standardRegistry();
    registerProbe(registry, "probe");
    const { graph } = buildGraph(chain(3), { registry });
    const events = await collect(graph.stream({}, { mode: "values", runId: "r" }));
    expect(events.map((e) => e.type)).toEqual(["values", "values", "values", "values", "run_completed"]);
    expect(events.filter((e): e is Ev<"values"> => e.type === "values").map((e) => [e.step, e.values.i])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(events.every((e) => e.runId === "r" && e.namespace === "chain" && typeof e.timestamp === "number")).toBe(true);
  });

  it("updates: one item per completed task with its writes, carrying the task id and node", async () => {
    const { graph } = buildGraph(`graph g {
      start s
      state { out: list<string> append  n: number = 0 }
      node s { kind set set { n: 1 } send [w { v: "a" }, w { v: "b" }] join j }
      node w { kind set set { out: args.v } }
      node j { kind set next END }
    }`);
    const events = await collect(graph.stream({}, { mode: "updates" }));
    const updates = events.filter((e): e is Ev<"updates"> => e.type === "updates");
    expect(updates.map((u) => [u.node, u.taskId, u.writes])).toEqual([
      ["s", "1.0", [{ channel: "n", value: 1 }]],
      ["w", "2.0", [{ channel: "out", value: "a" }]],
      ["w", "2.1", [{ channel: "out", value: "b" }]],
      ["j", "3.0", []],
    ]);
    expect(events.at(-1)!.type).toBe("run_completed");
  });

  it("messages: model tokens as they stream, with the task's ids; invoke does not ask the provider to stream", async () => {
    const registry = standardRegistry();
    const calls: { streamed: boolean }[] = [];
    registry.registerModel("m", { provider: streamingProvider("one two three", calls), modelId: "m" });
    const { graph } = buildGraph(`graph g { start a node a { kind model model "m" prompt "hi" next END } }`, { registry });
    const events = await collect(graph.stream({}, { mode: "messages" }));
    const tokens = events.filter((e): e is Ev<"model_token"> => e.type === "model_token");
    expect(tokens.map((t) => t.delta)).toEqual(["one ", "two ", "three"]);
    expect(tokens.every((t) => t.node === "a" && t.taskId === "1.0" && t.model === "m")).toBe(true);
    expect(events.map((e) => e.type)).toEqual(["model_token", "model_token", "model_token", "model_completed", "run_completed"]);
    await graph.invoke();
    expect(calls.map((c) => c.streamed)).toEqual([true, false]);
  });

  it("several modes yield the union; an interrupted run ends every mode with interrupt and run_interrupted", async () => {
    const { graph } = buildGraph(`graph g { start a state { x: number = 0 } interrupt after [a] node a { kind set set { x: 1 } next END } }`, { checkpointer: new MemoryCheckpointer() });
    const events = await collect(graph.stream({}, { mode: ["values", "updates"], threadId: "t" }));
    expect(events.map((e) => e.type)).toEqual(["values", "updates", "values", "interrupt", "run_interrupted"]);
  });
});

describe("backpressure in every mode", () => {
  const cases: { mode: StreamMode; build: () => { graph: ReturnType<typeof buildGraph>["graph"]; progress: () => number } }[] = [
    ...(["events", "values", "updates"] as const).map((mode) => ({
      mode,
      build: () => {
        const registry = standardRegistry();
        const calls = registerProbe(registry, "probe");
        return { graph: buildGraph(chain(30), { registry }).graph, progress: () => calls.length };
      },
    })),
    {
      mode: "messages",
      build: () => {
        const registry = standardRegistry();
        let sent = 0;
        registry.registerModel("m", {
          provider: {
            name: "many",
            async chat(_r: ChatRequest, o?: ChatOptions): Promise<ChatResponse> {
              for (let i = 0; i < 200; i++) {
                sent++;
                await o?.onToken?.(`t${i} `);
              }
              return { message: { content: "done" }, usage: { inputTokens: 1, outputTokens: 200 }, finishReason: "stop" };
            },
          },
          modelId: "m",
        });
        return { graph: buildGraph(`graph g { start a node a { kind model model "m" prompt "go" next END } }`, { registry }).graph, progress: () => sent };
      },
    },
  ];

  for (const c of cases) {
    it(`${c.mode}: a paused consumer holds the run; the buffer never exceeds bufferSize`, async () => {
      const { graph, progress } = c.build();
      const stream = graph.stream({}, { mode: c.mode, bufferSize: 2 }) as BoundedStream<RunEvent>;
      const it = stream[Symbol.asyncIterator]();
      await it.next();
      await sleep(30); // the consumer pauses
      expect(stream.size).toBeLessThanOrEqual(2);
      const whilePaused = progress();
      await sleep(20);
      expect(progress()).toBe(whilePaused); // nothing ran while the consumer was paused
      expect(whilePaused).toBeLessThanOrEqual(c.mode === "messages" ? 4 : 3);
      let last: RunEvent | undefined;
      let n = 1;
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        n++;
        last = r.value;
        expect(stream.size).toBeLessThanOrEqual(2);
      }
      expect(last?.type).toBe("run_completed");
      expect(progress()).toBe(c.mode === "messages" ? 200 : 30);
      expect(n).toBeGreaterThan(c.mode === "events" ? 100 : 30);
    });
  }
});
