/**
 * The blueprints a `RunWorker` runs (split out of `worker.ts`): compiles a job's `.rag`
 * source against the worker's registry and checks it names the job's blueprint hash
 * (`UnknownBlueprintError` otherwise), keeps compiled blueprints by hash (each with the
 * digests of the sources seen to compile to it, so a job cannot run a cached blueprint by
 * naming its hash next to another source), stores run sources in Postgres for later
 * resume and branch jobs, and resolves the bound graph a branch job runs in (from the
 * run's root blueprint along the job's namespace).
 */
import { createHash } from "node:crypto";
import { compileGraph, type Blueprint, type Json } from "../compiler/index.js";
import type { Registry } from "../registry/index.js";
import { CompiledGraph, errorToJson, parseNamespace, type CheckpointTuple, type NamespaceSegment } from "../runtime/index.js";
import { UnknownBlueprintError } from "./errors.js";
import type { PostgresCheckpointer } from "./postgres-checkpointer.js";
import type { QueueJobData } from "./run-jobs.js";
import type { BranchJobData } from "./branch-queue.js";

/** Compiled blueprints kept per worker (by hash), and job sources remembered per blueprint. */
const CACHE = 64;

/** SHA-256 of a job's source triple (graph, file, text), length-prefixed so no two triples collide. */
function sourceDigest(src: { graph: string; file: string; source: string }): string {
  const h = createHash("sha256");
  for (const part of [src.graph, src.file, src.source]) h.update(`${part.length}:`).update(part);
  return h.digest("hex");
}

/** Compiled blueprints and bound branch graphs of one worker, by blueprint hash (each cache holds at most 64). */
export class WorkerBlueprints {
  /** Bound graphs branch jobs run with, by blueprint hash. */
  private readonly branchGraphs = new Map<string, CompiledGraph>();
  /**
   * Compiled blueprints by hash, each with the digests of the job sources (graph, file,
   * text) seen to compile to it: a job's source must be one of them — or compile to the
   * hash now — before the cached blueprint runs for it.
   */
  private readonly compiled = new Map<string, { blueprint: Blueprint; siblings: Map<string, Blueprint>; sources: Set<string> }>();

  /**
   * @param registry the worker's registry (jobs compile and run against it).
   * @param checkpointer the shared store (blueprint sources by hash).
   */
  constructor(
    private readonly registry: Registry,
    private readonly checkpointer: PostgresCheckpointer,
  ) {}

  /** The blueprint a job runs, compiled from the job's source or the one stored for the thread's hash (`tuple`: the thread's latest checkpoint). */
  async forJob(data: QueueJobData, tuple: CheckpointTuple | undefined): Promise<{ blueprint: Blueprint; siblings: Map<string, Blueprint>; hash: string } | { error: Record<string, unknown> }> {
    const saver = this.checkpointer;
    let hash: string;
    let src: { graph: string; file: string; source: string } | undefined;
    if (data.kind === "run") {
      hash = data.hash;
      src = { graph: data.graph, file: data.file, source: data.source };
    } else {
      if (!tuple) return { error: errorToJson(new UnknownBlueprintError(`no thread ${data.threadId} to resume`, "")) };
      hash = tuple.checkpoint.blueprintHash;
      src = await saver.getSource(hash);
      if (!src) return { error: errorToJson(new UnknownBlueprintError(`thread ${data.threadId} runs blueprint ${hash.slice(0, 19)}…, whose source this worker was not given (no source stored for that hash)`, hash)) };
    }
    return this.compile(hash, src, data.kind === "run");
  }

  /** Compiles `src` and checks it names `hash` (cached by hash); `store`: records the source for later jobs. */
  async compile(hash: string, src: { graph: string; file: string; source: string }, store: boolean): Promise<{ blueprint: Blueprint; siblings: Map<string, Blueprint>; hash: string } | { error: Record<string, unknown> }> {
    const saver = this.checkpointer;
    const digest = sourceDigest(src);
    const cached = this.compiled.get(hash);
    // A cache hit only for a source already seen to compile to this hash: a job cannot run a
    // cached blueprint by naming its hash next to some other source (issue 10 audit).
    if (cached?.sources.has(digest)) return { blueprint: cached.blueprint, siblings: cached.siblings, hash };
    const r = compileGraph(src.source, { file: src.file, graph: src.graph, registry: this.registry.view(), ...(this.registry.approvals ? { approvals: this.registry.approvals } : {}) });
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    if (errors.length || !r.value) {
      const d = errors[0];
      const where = d ? `${src.file}:${d.span.start.line}:${d.span.start.column}: ${d.code}: ${d.message}` : "no graph";
      return { error: errorToJson(new UnknownBlueprintError(`the job's source does not compile on this worker (its registry differs?): ${where}`, hash)) };
    }
    if (r.value.hash !== hash) {
      return { error: errorToJson(new UnknownBlueprintError(`refused: the job names blueprint ${hash.slice(0, 19)}…, but its source compiles to ${r.value.hash.slice(0, 19)}… on this worker (a different registry or ragraph version)`, hash)) };
    }
    if (store) await saver.putSource(hash, src);
    if (cached && cached.sources.size < CACHE) {
      cached.sources.add(digest);
      return { blueprint: cached.blueprint, siblings: cached.siblings, hash };
    }
    const entry = { blueprint: r.value, siblings: new Map(r.compilation.blueprints.map((b) => [b.id, b])), sources: new Set([digest]) };
    if (this.compiled.size >= CACHE && !cached) this.compiled.delete(this.compiled.keys().next().value!);
    this.compiled.set(hash, entry);
    return { blueprint: entry.blueprint, siblings: entry.siblings, hash };
  }

  /**
   * The bound graph a branch job runs in. The job names the run's root blueprint (`root`;
   * `hash` itself for a branch of the root run), which must have a source stored (given
   * with a run job); a branch of a child run reaches its graph from the root along the
   * job's namespace — each level's graph resolved as the run resolved it (a graph of the
   * root's file, or of this worker's registry), with the limits and `budget` blocks of the
   * graphs above it — and that graph must be the one the job names (`hash`). Otherwise the
   * job is refused (`UnknownBlueprintError`): a job cannot make a worker run a blueprint it
   * was not given the source for, nor pass one graph's node off as another's. The walk is
   * then checked against the thread's checkpoints (`ancestryRefusal`, in `runBranchJob`):
   * the root named by the job must be the one that ran, along that namespace.
   */
  async branchGraph(b: BranchJobData): Promise<{ graph: CompiledGraph; chain: CompiledGraph[]; levels: NamespaceSegment[]; enclosingBudgets: readonly Json[] } | { error: Record<string, unknown> }> {
    const refuse = (message: string, hash: string) => ({ error: errorToJson(new UnknownBlueprintError(message, hash)) });
    const rootHash = b.namespace === "" ? b.hash : b.root;
    if (rootHash === undefined) return refuse(`refused: branch ${b.taskId} of child run namespace \`${b.namespace}\` names no root blueprint`, b.hash);
    let root = this.branchGraphs.get(rootHash);
    if (!root) {
      // Every cached entry was compiled from a source that hashes to its key; a branch job names no source of its own.
      let found: { blueprint: Blueprint; siblings: Map<string, Blueprint> } | undefined = this.compiled.get(rootHash);
      if (!found) {
        const src = await this.checkpointer.getSource(rootHash);
        if (!src) return refuse(`branch ${b.taskId} runs blueprint ${rootHash.slice(0, 19)}…, whose source this worker was not given`, rootHash);
        const c = await this.compile(rootHash, src, false);
        if ("error" in c) return { error: c.error };
        found = c;
      }
      root = new CompiledGraph(found.blueprint, { registry: this.registry, graphs: found.siblings, checkpointer: this.checkpointer });
      if (this.branchGraphs.size >= CACHE) this.branchGraphs.delete(this.branchGraphs.keys().next().value!);
      this.branchGraphs.set(rootHash, root);
    }
    let graph = root;
    const chain: CompiledGraph[] = [];
    const enclosingBudgets: Json[] = [];
    let levels: NamespaceSegment[];
    try {
      levels = parseNamespace(b.namespace);
    } catch (e) {
      return { error: errorToJson(e) };
    }
    for (const level of levels) {
      chain.push(graph);
      if (graph.blueprint.defaults.budget !== undefined) enclosingBudgets.push(graph.blueprint.defaults.budget);
      let next: CompiledGraph | undefined;
      try {
        next = graph.subgraph(level.graph);
      } catch (e) {
        return { error: errorToJson(e) };
      }
      if (!next) return refuse(`refused: branch ${b.taskId}'s namespace \`${b.namespace}\` names graph \`${level.graph}\`, which \`${graph.blueprint.id}\` cannot run on this worker (not of its file nor of this worker's registry)`, b.hash);
      graph = next;
    }
    if (graph.blueprint.hash !== b.hash) return refuse(`refused: branch ${b.taskId} names blueprint ${b.hash.slice(0, 19)}…, but its namespace \`${b.namespace || "(root)"}\` reaches \`${graph.blueprint.id}\` (${graph.blueprint.hash.slice(0, 19)}…) from the run's root blueprint`, b.hash);
    return { graph, chain, levels, enclosingBudgets };
  }
}
