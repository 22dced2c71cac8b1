/**
 * ragraph's side of the benchmark, through the public API only: graphs from
 * `GraphBuilder` (or `.rag` source for the compile row), bound with `CompiledGraph`, run
 * with `stream(input, { mode: "updates" })` to the end (as LangGraph.js's suite streams
 * its graphs); checkpointers are `MemoryCheckpointer` and `SqliteCheckpointer`; the model
 * is the `scripted` provider with no latency; no-op nodes are a registered node kind (the
 * analogue of LangGraph's no-op functions).
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompiledGraph, compileGraph, END, GraphBuilder, MemoryCheckpointer, scripted, SqliteCheckpointer, standardRegistry, t, tool, z, type Blueprint, type Checkpointer, type Registry } from "../../index.ts";
import { check, FINAL_ANSWER, largeDataset, toolResult, type Preparation, type Prepared, type Workload } from "./workloads.ts";

/** Supersteps allowed per run (LangGraph's bench passes recursionLimit 1e9). */
const RECURSION_LIMIT = 1_000_000;

function baseRegistry(): Registry {
  const r = standardRegistry();
  r.registerNodeKind("noop", async () => ({}));
  return r;
}

/** `node_0 → … → node_{n-1} → END`, no-op nodes, a messages channel (LangGraph's `createSequential`). */
export function sequentialBlueprint(n: number, channel: "messages" | "append" = "messages"): Blueprint {
  let b = (channel === "messages" ? new GraphBuilder("sequential").state({ messages: t.messages() }) : new GraphBuilder("sequential").channel("messages", "append")) as GraphBuilder<object, object, string>;
  for (let i = 0; i < n; i++) b = b.node(`node_${i}`, { kind: "noop" });
  b = b.start("node_0");
  for (let i = 0; i < n; i++) b = b.next(`node_${i}`, i + 1 < n ? `node_${i + 1}` : END);
  return b.build();
}

/** The same graph as `.rag` source text. */
export function sequentialSource(n: number): string {
  const lines = ["graph sequential {", "  start node_0", "  state { messages: messages }"];
  for (let i = 0; i < n; i++) lines.push(`  node node_${i} { kind noop next ${i + 1 < n ? `node_${i + 1}` : "END"} }`);
  lines.push("}");
  return lines.join("\n");
}

/** One dispatch node sends a packet per item; workers append; `reduce` runs once after every branch. */
export function fanoutBlueprint(): Blueprint {
  return new GraphBuilder("fanout")
    .input({ items: t.list(t.integer()) })
    .state({ results: t.list(t.integer()).reducer("append"), total: t.integer(), reduce_runs: t.integer().reducer("sum").default(0) })
    .node("dispatch", { kind: "set", send: [{ to: "worker", forEach: { variable: "x", in: (x) => x.input("items") }, args: (x) => ({ item: x.v("x") }) }], join: "reduce" })
    .node("worker", { kind: "set", set: { results: (x) => x.arg("item") } })
    .node("reduce", { kind: "set", set: { total: (x) => x.len(x.state("results")), reduce_runs: (x) => x.lit(1) } })
    .start("dispatch")
    .next("reduce", END)
    .build();
}

/** The agent ⇄ tools loop (LangGraph's `createReactAgent`). */
export function reactBlueprint(toolName: string): Blueprint {
  return new GraphBuilder("react_agent")
    .state({ messages: t.messages() })
    .node("agent", { kind: "agent", model: "fake", tools: [toolName] })
    .node("tools", { kind: "tool_executor", tools: [toolName] })
    .start("agent")
    .routes("agent", { tool_call: "tools", final: END })
    .next("tools", "agent")
    .build();
}

/** A registry with a zero-latency scripted model that asks for `calls` tool calls, then answers. */
function reactRegistry(calls: number): { registry: Registry; toolName: string } {
  const toolName = `tool_${randomUUID().replace(/-/g, "")}`;
  const queries = Array.from({ length: calls }, () => randomUUID().repeat(100));
  const registry = baseRegistry();
  registry.registerTool(toolName, tool({ description: "A test tool", schema: z.object({ query: z.string().describe("The query parameter") }), run: ({ query }) => toolResult(query) }));
  let turn = 0;
  registry.registerModel("fake", {
    modelId: "fake",
    provider: scripted({
      name: "react_agent bench",
      rules: [{ reply: () => (turn < calls ? { toolCalls: [{ id: randomUUID(), name: toolName, arguments: { query: queries[turn++] } }] } : { text: FINAL_ANSWER }) }],
    }),
  });
  return { registry, toolName };
}

type State = Readonly<Record<string, unknown>>;

/**
 * A fresh checkpointer per sample (made untimed, default durability `sync`): in memory,
 * or a new SQLite file in a temporary directory (the previous sample's is closed).
 */
function saverFor(w: Workload): (() => Checkpointer) | undefined {
  if (w.checkpointer === "memory") return () => new MemoryCheckpointer();
  if (w.checkpointer === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "ragraph-bench-"));
    let n = 0;
    let last: SqliteCheckpointer | undefined;
    return () => {
      last?.close();
      last = new SqliteCheckpointer(join(dir, `run-${++n}.db`));
      return last;
    };
  }
  return undefined;
}

/** What a run sample returns: the end of the run as its `run_completed` event reports it, and the updates streamed. */
export interface StreamedRun {
  readonly state: Readonly<Record<string, unknown>>;
  readonly steps: number;
  readonly threadId: string;
  /** `updates` events received (one per completed task). */
  readonly updates: number;
}

/**
 * A run the way LangGraph.js's suite runs its graphs (`graph.stream(input)` in its default
 * mode, node updates, gathering every chunk): `stream(input, { mode: "updates" })` to the end.
 */
function runner(graph: CompiledGraph, input: Record<string, unknown>, w: Workload, saver: Checkpointer | undefined): () => Promise<unknown> {
  const options = { recursionLimit: RECURSION_LIMIT, mode: "updates" as const, ...(saver ? { checkpointer: saver, threadId: randomUUID() } : {}) };
  if (w.mode === "first_event") {
    return async () => {
      // The first node update.
      for await (const e of graph.stream(input, options)) if (e.type === "updates") return e;
      return undefined;
    };
  }
  return async (): Promise<StreamedRun> => {
    let updates = 0;
    let end: StreamedRun | undefined;
    // To the end of the stream, as the suite's `gatherIterator` does.
    for await (const e of graph.stream(input, options)) {
      if (e.type === "updates") updates++;
      else if (e.type === "run_completed") end = { state: e.state, steps: e.steps, threadId: e.threadId, updates };
      else if (e.type === "run_failed") throw new Error(`the run failed: ${JSON.stringify(e.error)}`);
    }
    if (!end) throw new Error("the stream ended without run_completed");
    return end;
  };
}

/**
 * Samples that each get a fresh checkpointer (when the workload has one) and run
 * `graph`; a checkpointed run is also checked to have saved a checkpoint per superstep.
 */
function sampled(graph: CompiledGraph, input: Record<string, unknown>, w: Workload, verify: (r: unknown) => void): Prepared {
  const saver = saverFor(w);
  let current: Checkpointer | undefined;
  return {
    sample: async () => runner(graph, input, w, (current = saver?.())),
    verify: (r) => (current ? verifyCheckpoints(current, r, verify) : verify(r)),
  };
}

async function verifyCheckpoints(saver: Checkpointer, r: unknown, verify: (r: unknown) => void): Promise<void> {
  verify(r);
  const { threadId, steps } = r as { threadId?: string; steps?: number };
  if (threadId === undefined || steps === undefined) return; // first-event samples stop early
  const saved = (await saver.list(threadId)).length;
  check(saved >= steps, `a checkpoint per superstep (${saved} saved for ${steps} steps)`);
}

export async function prepare(w: Workload): Promise<Preparation> {
  if (w.mode === "compile") return prepareCompile(w);
  switch (w.family) {
    case "sequential": {
      const graph = new CompiledGraph(sequentialBlueprint(w.size), { registry: baseRegistry() });
      return sampled(graph, { messages: [] }, w, (r) => {
        if (w.mode === "first_event") return check((r as { node?: string })?.node === "node_0", "the first update is node_0's");
        const run = r as StreamedRun;
        check(run.steps === w.size && run.updates === w.size, `${w.size} supersteps ran, each streaming its update (${run.steps} steps, ${run.updates} updates)`);
      });
    }
    case "large_state": {
      const graph = new CompiledGraph(sequentialBlueprint(10, "append"), { registry: baseRegistry() });
      const data = largeDataset(w.size, w.size);
      return sampled(graph, { messages: data }, w, (r) => {
        const { state, steps } = r as { state: State; steps: number };
        check(steps === 10 && Array.isArray(state.messages) && state.messages.length === w.size, "10 steps carried the dataset");
        check(JSON.stringify(state.messages) === JSON.stringify(data), "the dataset is intact");
      });
    }
    case "fanout": {
      const graph = new CompiledGraph(fanoutBlueprint(), { registry: baseRegistry() });
      const items = Array.from({ length: w.size }, (_, i) => i);
      return sampled(graph, { items }, w, (r) => {
        const s = (r as { state: State }).state;
        check(s.reduce_runs === 1, `reduce ran once (ran ${String(s.reduce_runs)} times)`);
        check(s.total === w.size && (s.results as number[]).length === w.size, `${w.size} results reduced`);
        check([...(s.results as number[])].sort((a, b) => a - b).every((v, i) => v === i), "every item arrived once");
      });
    }
    case "react_agent": {
      const saver = saverFor(w);
      let current: Checkpointer | undefined;
      return {
        // A fresh scripted model per run (its reply counter restarts), built untimed.
        async sample() {
          const { registry, toolName } = reactRegistry(w.size);
          const graph = new CompiledGraph(reactBlueprint(toolName), { registry });
          return runner(graph, { messages: [{ role: "user", content: "hi?" }] }, w, (current = saver?.()));
        },
        verify: (r) => (current ? verifyCheckpoints(current, r, (x) => verifyReact(x, w.size)) : verifyReact(r, w.size)),
      };
    }
  }
}

function verifyReact(r: unknown, calls: number): void {
  const messages = (r as { state: State }).state.messages as { role: string; content: string }[];
  check(messages.length === 2 + 2 * calls, `${2 + 2 * calls} messages (got ${messages.length})`);
  check(messages.filter((m) => m.role === "tool").length === calls, `${calls} tool results`);
  check(messages.at(-1)!.content === FINAL_ANSWER, "the final answer is last");
}

function fixed(run: () => Promise<unknown>, verify: (r: unknown) => void): Prepared {
  return { sample: async () => run, verify };
}

function prepareCompile(w: Workload): Prepared {
  if (w.family === "react_agent") {
    return fixed(
      async () => {
        const { registry, toolName } = reactRegistry(w.size);
        return new CompiledGraph(reactBlueprint(toolName), { registry });
      },
      (g) => check((g as CompiledGraph).blueprint.nodes.length === 2, "2 nodes"),
    );
  }
  const registry = baseRegistry();
  if (w.source === "rag") {
    const source = sequentialSource(w.size);
    return fixed(
      async () => {
        const r = compileGraph(source, { registry: registry.view() });
        if (!r.value) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
        return new CompiledGraph(r.value, { registry });
      },
      (g) => check((g as CompiledGraph).blueprint.nodes.length === w.size, `${w.size} nodes`),
    );
  }
  return fixed(
    async () => new CompiledGraph(sequentialBlueprint(w.size), { registry }),
    (g) => check((g as CompiledGraph).blueprint.nodes.length === w.size, `${w.size} nodes`),
  );
}
