/**
 * The workloads of LangGraph.js's own benchmark suite (`libs/langgraph/bench` in the
 * langgraphjs repository: sequential, first-event latency, graph compilation,
 * react_agent, large state) plus `fanout_1000` (LangGraph's Python suite fans out with
 * Send; the JS suite has no fan-out bench), each defined once here and implemented by
 * both engines (`ragraph.ts`, `langgraph.ts`).
 *
 * What is timed: a run (graphs are built once per process, before warm-up), the time to
 * a stream's first node update, or a graph's construction and compilation.
 */

export type Engine = "ragraph" | "langgraph";
export type Family = "sequential" | "fanout" | "react_agent" | "large_state";

export interface Workload {
  readonly name: string;
  readonly family: Family;
  /** `run`: run to the end; `first_event`: time to the first node update; `compile`: build + compile the graph. */
  readonly mode: "run" | "first_event" | "compile";
  /** Nodes (sequential), Send packets (fanout), tool calls (react_agent), or the dataset's outer×inner size (large_state). */
  readonly size: number;
  readonly checkpointer?: "memory" | "sqlite";
  /** For `compile`: what ragraph compiles — a builder graph or `.rag` source text. */
  readonly source?: "builder" | "rag";
  /** Engines that run it (the SQLite row is ragraph's own: its cost per superstep). */
  readonly engines: readonly Engine[];
  /** Required speed-up over LangGraph.js (issue 4 §8), when there is one. */
  readonly targetRatio?: number;
  readonly about: string;
}

const both: readonly Engine[] = ["ragraph", "langgraph"];

export const WORKLOADS: readonly Workload[] = [
  { name: "sequential_10", family: "sequential", mode: "run", size: 10, engines: both, targetRatio: 10, about: "10 no-op nodes in a chain, messages state" },
  { name: "sequential_10_checkpoint", family: "sequential", mode: "run", size: 10, checkpointer: "memory", engines: both, targetRatio: 10, about: "the same with an in-memory checkpointer" },
  { name: "sequential_1000", family: "sequential", mode: "run", size: 1000, engines: both, targetRatio: 20, about: "1000 no-op nodes in a chain" },
  { name: "sequential_1000_checkpoint", family: "sequential", mode: "run", size: 1000, checkpointer: "memory", engines: both, targetRatio: 10, about: "the same with an in-memory checkpointer" },
  { name: "sequential_1000_first_event", family: "sequential", mode: "first_event", size: 1000, engines: both, targetRatio: 10, about: "time to the first node's update on the stream" },
  { name: "sequential_1000_first_event_checkpoint", family: "sequential", mode: "first_event", size: 1000, checkpointer: "memory", engines: both, targetRatio: 10, about: "the same with an in-memory checkpointer" },
  { name: "compile_sequential_1000", family: "sequential", mode: "compile", size: 1000, source: "builder", engines: both, targetRatio: 10, about: "build and compile a 1000-node graph (ragraph: GraphBuilder)" },
  // LangGraph.js has no source language to parse: this row adds lexing, parsing, every static
  // check and hashing of 1000 nodes of `.rag` text, and is reported without a target (the
  // `.rag` front end's own target, 10k nodes in under a second, is `npm run bench:compiler`'s).
  { name: "compile_sequential_1000_rag", family: "sequential", mode: "compile", size: 1000, source: "rag", engines: both, about: "the same, ragraph compiling .rag source text (parse + check + lower + hash)" },
  // In LangGraph.js's suite, not in the list of workloads: reported, no target.
  { name: "compile_react_agent_100x", family: "react_agent", mode: "compile", size: 100, source: "builder", engines: both, about: "build and compile the react agent (with its 101 scripted replies)" },
  { name: "fanout_1000", family: "fanout", mode: "run", size: 1000, engines: both, targetRatio: 20, about: "1000 Send packets append to a list, then one reduce (checked: runs once)" },
  { name: "react_agent_100x", family: "react_agent", mode: "run", size: 100, engines: both, targetRatio: 50, about: "100 tool calls through an agent ⇄ tools loop, zero-latency scripted model" },
  { name: "react_agent_100x_checkpoint", family: "react_agent", mode: "run", size: 100, checkpointer: "memory", engines: both, targetRatio: 10, about: "the same with an in-memory checkpointer" },
  { name: "large_state_25x300", family: "large_state", mode: "run", size: 5, engines: both, targetRatio: 10, about: "sequential_10 carrying LangGraph's createLargeDataset(5, 5)" },
  { name: "large_state_25x300_checkpoint", family: "large_state", mode: "run", size: 5, checkpointer: "memory", engines: both, targetRatio: 10, about: "the same with an in-memory checkpointer" },
  { name: "sequential_1000_sqlite", family: "sequential", mode: "run", size: 1000, checkpointer: "sqlite", engines: ["ragraph"], about: "ragraph's SQLite checkpointer: cost per superstep" },
];

/** `createLargeDataset(outer, inner)` of LangGraph.js's bench: `outer` objects of `inner` keys, each a 30-element array. */
export function largeDataset(outer: number, inner: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < outer; i++) {
    const obj: Record<string, unknown> = {};
    const row = ["hi?".repeat(10), true, 1, 6327816386138, null];
    for (let j = 0; j < inner; j++) obj[String(j).repeat(10)] = Array.from({ length: 6 }, () => row).flat();
    out.push(obj);
  }
  return out;
}

/** What a tool returns for a query in the react_agent workload (as LangGraph's bench tool). */
export const toolResult = (query: string) => `result for query: ${query}`.repeat(10);

/** The react agent's final answer. */
export const FINAL_ANSWER = "answer".repeat(100);

/** What one engine's implementation of a workload provides to the sampling loop. */
export interface Prepared {
  /** Untimed set-up of one sample (e.g. a fresh checkpointer); returns the timed part. */
  sample(): Promise<() => Promise<unknown>>;
  /** Checks a sample's result (untimed); throws when the engine did not do the work. */
  verify(result: unknown): void | Promise<void>;
}

/** An engine's implementation of a workload, or why it cannot run yet. */
export type Preparation = Prepared | { readonly pending: string };

export function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(`verification failed: ${message}`);
}
