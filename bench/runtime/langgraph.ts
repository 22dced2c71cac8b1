/**
 * LangGraph.js's side of the benchmark: the graphs of its own bench suite
 * (`libs/langgraph/bench`: `createSequential`, `reactAgent` with a fake tool-calling
 * model, `createLargeDataset`), run the way that suite runs them — `graph.stream(input,
 * { configurable: { thread_id }, recursionLimit })` gathering every chunk.
 *
 * Deviations from the suite, each also applied to ragraph: the fake model has no sleep
 * (the suite's `FakeToolCallingChatModel` sleeps 50 ms per call unless told otherwise;
 * the workload is a zero-latency model), and large_state keeps the dataset in an
 * append channel, because LangGraph.js (1.4.18 and later) rejects the suite's plain objects in
 * `MessagesAnnotation` (MESSAGE_COERCION_FAILURE).
 */
import { randomUUID } from "node:crypto";
import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { ChatResult } from "@langchain/core/outputs";
import { tool } from "@langchain/core/tools";
import { Annotation, END, MessagesAnnotation, Send, START, StateGraph } from "@langchain/langgraph";
import { MemorySaver } from "@langchain/langgraph-checkpoint";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { check, FINAL_ANSWER, largeDataset, toolResult, type Preparation, type Prepared, type Workload } from "./workloads.ts";

type Graph = { stream(input: unknown, config: unknown): Promise<AsyncIterable<unknown> & { return?: () => Promise<unknown> }> };
type Chunk = Record<string, unknown>;

/** A chat model that replays `responses` in order, with no latency (the suite's fake, without its sleep). */
class FakeToolCallingChatModel extends BaseChatModel {
  private idx = 0;
  constructor(private readonly responses: BaseMessage[]) {
    super({});
  }
  _llmType(): string {
    return "fake";
  }
  async _generate(): Promise<ChatResult> {
    const message = this.responses[this.idx++ % this.responses.length];
    return { generations: [{ text: "", message }] };
  }
  override bindTools(): this {
    return this;
  }
}

function createSequential(n: number, withAppendChannel = false) {
  const state = withAppendChannel ? Annotation.Root({ messages: Annotation<unknown[]>({ reducer: (a, b) => a.concat(b), default: () => [] }) }) : MessagesAnnotation;
  // Node names are generated, so the builder is used through a widened type (as the suite does).
  const builder = new StateGraph(state) as unknown as { addNode(n: string, f: () => object): void; addEdge(a: string, b: string): void; compile(o?: object): Graph };
  let prev: string = START;
  for (let i = 0; i < n; i++) {
    builder.addNode(`node_${i}`, () => ({}));
    builder.addEdge(prev, `node_${i}`);
    prev = `node_${i}`;
  }
  builder.addEdge(prev, END);
  return builder;
}

function fanout(): Graph {
  const State = Annotation.Root({
    items: Annotation<number[]>(),
    results: Annotation<number[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    total: Annotation<number>(),
    reduceRuns: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }),
  });
  return new StateGraph(State)
    .addNode("dispatch", () => ({}))
    .addNode("worker", (s: { item?: number }) => ({ results: [s.item as number] }))
    .addNode("reduce", (s) => ({ total: s.results.length, reduceRuns: 1 }))
    .addEdge(START, "dispatch")
    .addConditionalEdges("dispatch", (s) => s.items.map((item) => new Send("worker", { item })))
    .addEdge("worker", "reduce")
    .addEdge("reduce", END)
    .compile() as unknown as Graph;
}

/** The suite's `reactAgent(nTools, checkpointer)`. */
function reactAgent(calls: number, checkpointer?: MemorySaver): Graph {
  const testTool = tool(({ query }: { query: string }) => toolResult(query), {
    name: `tool_${randomUUID().replace(/-/g, "")}`,
    description: "A test tool",
    schema: z.object({ query: z.string().describe("The query parameter") }),
  });
  const model = new FakeToolCallingChatModel([
    ...Array.from({ length: calls }, () => new AIMessage({ content: "", tool_calls: [{ id: randomUUID(), name: testTool.name, args: { query: randomUUID().repeat(100) } }], id: randomUUID() })),
    new AIMessage({ content: FINAL_ANSWER, id: randomUUID() }),
  ]);
  return createReactAgent({ llm: model, tools: [testTool], ...(checkpointer ? { checkpointSaver: checkpointer } : {}) }) as unknown as Graph;
}

const config = () => ({ configurable: { thread_id: randomUUID() }, recursionLimit: 1_000_000_000 });

/** The suite's `runGraph`: every chunk of the default (updates) stream. */
function gather(graph: Graph, input: () => unknown): () => Promise<Chunk[]> {
  return async () => {
    const out: Chunk[] = [];
    for await (const c of await graph.stream(input(), config())) out.push(c as Chunk);
    return out;
  };
}

/** The suite's `runFirstEventLatency`, then cancelling the rest of the run. */
function firstEvent(graph: Graph, input: () => unknown): () => Promise<unknown> {
  return async () => {
    const stream = await graph.stream(input(), config());
    const it = stream[Symbol.asyncIterator]();
    const first = await it.next();
    await it.return?.();
    return first.value;
  };
}

/** Each sample builds its graph untimed: with a checkpointer, a fresh `MemorySaver` per run. */
function perSample(build: () => Graph, run: (g: Graph) => () => Promise<unknown>, verify: (r: unknown) => void): Prepared {
  return { sample: async () => run(build()), verify };
}

export async function prepare(w: Workload): Promise<Preparation> {
  if (w.checkpointer === "sqlite") return { pending: "not measured on LangGraph.js (ragraph's own per-superstep cost)" };
  const saver = () => (w.checkpointer ? { checkpointer: new MemorySaver() } : {});
  if (w.mode === "compile") {
    if (w.family === "react_agent") return perSample(() => ({}) as Graph, () => async () => reactAgent(w.size), (g) => check(typeof (g as Graph).stream === "function", "a graph"));
    return perSample(() => ({}) as Graph, () => async () => createSequential(w.size).compile(), (g) => check(typeof (g as Graph).stream === "function", "a graph"));
  }
  switch (w.family) {
    case "sequential": {
      const cached = w.checkpointer ? undefined : createSequential(w.size).compile();
      const build = () => cached ?? createSequential(w.size).compile(saver());
      if (w.mode === "first_event") return perSample(build, (g) => firstEvent(g, () => ({ messages: [] })), (r) => check(Object.keys(r as Chunk)[0] === "node_0", "the first update is node_0's"));
      return perSample(build, (g) => gather(g, () => ({ messages: [] })), (r) => check((r as Chunk[]).length === w.size, `${w.size} node updates (got ${(r as Chunk[]).length})`));
    }
    case "large_state": {
      const cached = w.checkpointer ? undefined : createSequential(10, true).compile();
      const data = largeDataset(w.size, w.size);
      return perSample(() => cached ?? createSequential(10, true).compile(saver()), (g) => gather(g, () => ({ messages: data })), (r) => check((r as Chunk[]).length === 10, "10 node updates"));
    }
    case "fanout": {
      const graph = fanout();
      const items = Array.from({ length: w.size }, (_, i) => i);
      return perSample(
        () => graph,
        (g) => gather(g, () => ({ items })),
        (r) => {
          const chunks = r as Chunk[];
          const reduces = chunks.filter((c) => "reduce" in c);
          check(reduces.length === 1, `reduce ran once (ran ${reduces.length} times)`);
          check((reduces[0].reduce as { total: number }).total === w.size, `${w.size} results reduced`);
          check(chunks.filter((c) => "worker" in c).length === w.size, `${w.size} workers ran`);
        },
      );
    }
    case "react_agent":
      return perSample(
        () => reactAgent(w.size, w.checkpointer ? new MemorySaver() : undefined),
        (g) => gather(g, () => ({ messages: [new HumanMessage("hi?")] })),
        (r) => {
          const chunks = r as Chunk[];
          check(chunks.filter((c) => "tools" in c).length === w.size, `${w.size} tool steps`);
          const last = chunks.at(-1) as { agent?: { messages: BaseMessage[] } };
          check(last.agent?.messages.at(-1)?.content === FINAL_ANSWER, "the final answer is last");
        },
      );
  }
}
