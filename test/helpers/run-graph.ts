/**
 * Test helper: compile a `.rag` source string against a registry and run it.
 * Fails loudly (with every diagnostic) when the source does not compile, so a test
 * never silently runs a different graph than the one it shows.
 */
import { compileGraph, type Blueprint } from "../../compiler/index.js";
import type { NodeKindImplementation, NodeTask, Registry } from "../../registry/index.js";
import { CompiledGraph, type Checkpointer, type RunEvent, type RunOptions, type RunResult, type StreamOptions } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";

export interface BuildOptions {
  /** Registry to bind against; a fresh standard registry when omitted. */
  readonly registry?: Registry;
  /** Graph to pick when the source holds several. */
  readonly graph?: string;
  /** The graph's default checkpointer. */
  readonly checkpointer?: Checkpointer;
}

/** Compiles `source` (errors throw with their diagnostics) and binds it to the registry. */
export function buildGraph(source: string, options: BuildOptions = {}): { graph: CompiledGraph; blueprint: Blueprint; registry: Registry; warnings: string[] } {
  const registry = options.registry ?? standardRegistry();
  const r = compileGraph(source, { registry: registry.view(), ...(options.graph !== undefined ? { graph: options.graph } : {}) });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (!r.value || errors.length) {
    throw new Error(`test graph does not compile:\n${r.diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message} @${d.span.start.line}:${d.span.start.column}`).join("\n")}`);
  }
  const graphs = new Map(r.compilation.blueprints.map((b) => [b.id, b] as const));
  const graph = new CompiledGraph(r.value, { registry, graphs, ...(options.checkpointer ? { checkpointer: options.checkpointer } : {}) });
  return { graph, blueprint: r.value, registry, warnings: r.diagnostics.filter((d) => d.severity !== "error").map((d) => d.code) };
}

/** Compiles and invokes; resolves with the run result (rejects with the run's typed error). */
export function runGraph(source: string, input: Record<string, unknown> = {}, options: BuildOptions & RunOptions = {}): Promise<RunResult> {
  const { registry, graph: graphName, checkpointer, ...runOptions } = options;
  const { graph } = buildGraph(source, { ...(registry ? { registry } : {}), ...(graphName !== undefined ? { graph: graphName } : {}), ...(checkpointer ? { checkpointer } : {}) });
  return graph.invoke(input, runOptions);
}

/** Streams a run of `graph` to its end and returns every event, in order. */
export async function eventsOf(graph: CompiledGraph, input: Record<string, unknown> | null = {}, options: StreamOptions = {}): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const e of graph.stream(input, options)) out.push(e);
  return out;
}

/** One execution record of a probe node. */
export interface ProbeCall {
  readonly node: string;
  readonly taskId: string;
  readonly step: number;
  readonly args: unknown;
  readonly state: Readonly<Record<string, unknown>>;
}

/**
 * Registers a custom node kind that records every execution (in start order) and
 * delegates to `impl` (default: no writes). Returns the call log.
 */
export function registerProbe(registry: Registry, name: string, impl: (task: NodeTask, calls: ProbeCall[]) => ReturnType<NodeKindImplementation> = async () => ({})): ProbeCall[] {
  const calls: ProbeCall[] = [];
  registry.registerNodeKind(name, async (task) => {
    calls.push({ node: task.node.name, taskId: task.taskId, step: task.run.step, args: task.args, state: task.state });
    return impl(task, calls);
  });
  return calls;
}

/** Nodes of the `task_started` events, grouped per step: `[[step1 nodes], [step2 nodes], …]`. */
export function nodesPerStep(events: readonly RunEvent[]): string[][] {
  const out: string[][] = [];
  for (const e of events) if (e.type === "step_started") out.push(e.tasks.map((t) => t.node));
  return out;
}

/** Resolves after `ms` milliseconds, or rejects when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}

/** The error `p` rejects with; fails the test when `p` resolves instead. */
export async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the run to fail, but it completed");
}
