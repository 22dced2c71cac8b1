/**
 * Everything the API does for one workspace: compiles its files against the config's
 * registry, starts and resumes runs on the workspace's checkpoint file
 * (`.rag/checkpoints.db`, the one `rag run` uses from that folder), time travel
 * (history, state, updateState, fork), the review gate (the approvals file `rag
 * approve` writes) and a `.ragsh` session. Independent of HTTP and of the page.
 */
import { basename, dirname, join } from "node:path";
import { diffBlueprints, reachReport, renderDiff, type Blueprint, type IndirectCapability, type RegistryView } from "../compiler/index.js";
import { approveBlueprint, FileApprovalStore, reviewStatus, serviceSnapshot, type Approval } from "../registry/index.js";
import type { ServiceRegistrySnapshot } from "../language-service/index.js";
import {
  answerInterrupts,
  typedAnswerCheck,
  BindError,
  CompiledGraph,
  errorToJson,
  fork,
  getState,
  InvalidInputError,
  checkInput,
  newId,
  pendingInterrupts,
  PolicyError,
  recordedAnswers,
  ReviewRequiredError,
  RagError,
  SqliteCheckpointer,
  BlueprintMismatchError,
  CheckpointError,
  NamespaceError,
  resolveNamespace,
  ThreadBusyError,
  travelToSubgraph,
  type TravelResult,
  type Checkpointer,
  type ResumeCommand,
  type StateSnapshot,
} from "../runtime/index.js";
import { eventObserver } from "../stdlib/index.js";
import type { StudioConfig } from "./config.js";
import { StudioConsole } from "./console.js";
import { ApiError, badRequest, conflict, notFound } from "./errors.js";
import { RunManager, type RunRecord } from "./runs.js";
import type { QueueRunSubmitter } from "../scale/index.js";
import { readKeptBlueprint, writeKeptBlueprint } from "./kept-blueprints.js";
import { makeFolders } from "../registry/make-folders.js";
import { blueprintOf } from "./source.js";
import { historyWithTasks, threadEntries, type HistoryEntry, type ThreadEntry, type ThreadFilter } from "./threads.js";

/** A thread edit refused because a run (in this process or another) holds the thread: 409, as a run of a busy thread. */
const threadBusy = (e: ThreadBusyError): ApiError => new ApiError("thread_busy", e.message, 409);
import type { Workspace } from "./workspace.js";

/** How a thread started from the API finds its graph again (same shape `rag run` records). */
interface Origin {
  readonly file: string;
  readonly graph: string;
  readonly config: string | null;
}

export interface ReviewGraph {
  readonly graph: string;
  readonly hash: string;
  readonly capabilities: Readonly<Record<string, readonly string[]>>;
  /** What the registered agents and graphs it binds may use when it runs (`reachReport`, as `rag approve` prints). */
  readonly reaches: readonly IndirectCapability[];
  /** Registered graphs it binds that the runtime refuses to start here, with each refused capability's reason (`reachReport`). */
  readonly refused: readonly { readonly via: string; readonly graph: string; readonly reasons: readonly string[] }[];
  readonly provenance: Blueprint["provenance"] | null;
  readonly nodes: number;
  readonly approved: boolean;
  readonly required: boolean;
  readonly approval: Approval | null;
  /** The last approved version of this graph (another hash), when its blueprint was kept. */
  /**
   * The newest other approved version of this graph that can be compared: its semantic
   * diff to this one (`changes`: null when the approved source no longer compiles), and
   * its source when the approval record kept it (for a text diff).
   */
  readonly lastApproved: { readonly hash: string; readonly approvedAt: string; readonly diff: string; readonly changes: number | null; readonly source: string | null } | null;
}

export interface ProjectOptions {
  /** Checkpoint file (default `<workspace>/.rag/checkpoints.db`). */
  readonly checkpoints?: string;
  /** Approvals file (default `.rag/approvals.json` beside the config, else in the workspace — where `rag approve` writes). */
  readonly approvals?: string;
  /** A checkpointer to use instead of the file (`rag serve --checkpoints postgres://…`); closed by `close()`. */
  readonly checkpointer?: Checkpointer;
  /** Enqueue runs for `rag worker`s instead of running them here (`rag serve --queue`). */
  readonly queue?: QueueRunSubmitter;
  /** Runs going at once (default `MAX_ACTIVE_RUNS`); more are refused with 429 `too_many_runs` (`rag serve --max-runs`). */
  readonly maxActiveRuns?: number;
}

export class Project {
  readonly runs: RunManager;
  readonly checkpointer: Checkpointer;
  /** The `.ragsh` console (`POST /api/repl`). */
  private readonly console: StudioConsole;

  /** The config now (`reloadConfig` replaces it). */
  private current: StudioConfig;

  constructor(
    readonly workspace: Workspace,
    config: StudioConfig,
    options: ProjectOptions = {},
  ) {
    this.current = config;
    this.approvalsPath = options.approvals ?? join(config.path ? dirname(config.path) : workspace.root, ".rag", "approvals.json");
    // Kept blueprints go to `approved/` beside the approvals file, checked from the
    // project's folder when that file is in a `.rag` (a cloned `.rag` may be a link),
    // from the approvals file's folder otherwise (one a person named).
    const approvalsDir = dirname(this.approvalsPath);
    this.keptRoot = basename(approvalsDir) === ".rag" ? dirname(approvalsDir) : approvalsDir;
    this.runs = new RunManager(options.queue, undefined, options.maxActiveRuns);
    if (options.checkpointer) this.checkpointer = options.checkpointer;
    else {
      const checkpoints = options.checkpoints ?? join(workspace.root, ".rag", "checkpoints.db");
      makeFolders(dirname(checkpoints));
      this.checkpointer = new SqliteCheckpointer(checkpoints);
    }
    this.console = new StudioConsole(workspace, this.checkpointer, () => (this.approvals(), this.registry));
  }

  /** The project's config: its path, what it exports and the registry built from it. */
  get config(): StudioConfig {
    return this.current;
  }

  get registry() {
    return this.current.registry;
  }

  /**
   * Replaces the config (the studio loads it again after it, or a file of the project it
   * imports, changed: `rag studio`). Checks, reviews, approvals and runs started from now
   * on use the new registry; runs in flight keep the one they started with. The console's
   * session starts afresh at its next cell (its variables were made under the old
   * registry's grants). The approvals file stays where it was (beside the config's path).
   */
  reloadConfig(config: StudioConfig): void {
    this.current = config;
    this.console.renew();
  }

  /** The approvals file: `.rag/approvals.json` beside the config (else in the workspace), as `rag approve` uses. */
  readonly approvalsPath: string;

  /** The folder kept blueprints' folders are checked from (writeKeptBlueprint). */
  private readonly keptRoot: string;

  private approvals(): FileApprovalStore {
    const store = new FileApprovalStore(this.approvalsPath);
    this.registry.approvals = store;
    return store;
  }

  /**
   * The text of workspace file `file` for a run, a review or an approval: a `.rag` file.
   * @throws ApiError 400 `not_a_graph_file` for a `.ragsh` script (its cells run in the REPL), else as `Workspace.read`.
   */
  private graphSource(file: string): string {
    if (typeof file === "string" && file.endsWith(".ragsh")) throw badRequest(`${file} is a .ragsh script, not a graph file: run it in the REPL (\`:load ${file}\`); runs, review and approval take a .rag file`, "not_a_graph_file");
    return this.workspace.read(file);
  }

  /** Compiles a workspace file and binds one graph to the checkpointer. */
  bind(file: string, graph?: string): CompiledGraph {
    const source = this.graphSource(file);
    this.approvals();
    const { blueprint, siblings } = blueprintOf(source, file, this.registry.view(), graph);
    try {
      return new CompiledGraph(blueprint, { registry: this.registry, graphs: siblings, checkpointer: this.checkpointer });
    } catch (e) {
      if (e instanceof BindError || e instanceof PolicyError || e instanceof ReviewRequiredError) throw new ApiError(e.code, e.message, 400);
      throw e;
    }
  }

  /** Starts a run of `file`'s graph on a new (or given, empty) thread. */
  async startRun(req: { file: string; graph?: string; input?: Record<string, unknown>; thread?: string }): Promise<RunRecord> {
    const threadId = req.thread ?? newId("thread");
    // The slot and the thread are held across the awaits below (see RunManager.reserve).
    const release = this.runs.reserve(threadId);
    try {
      const g = this.bind(req.file, req.graph);
      const bp = g.blueprint;
      const input = req.input ?? { ...(this.config.config.defaultInputs?.[bp.id] ?? {}) };
      try {
        checkInput(bp, input);
      } catch (e) {
        if (e instanceof InvalidInputError) throw badRequest(e.message, "invalid_input");
        throw e;
      }
      if (req.thread !== undefined && (await this.checkpointer.getTuple({ threadId }))) throw conflict(`thread ${threadId} already exists; resume it, or start on a new thread`);
      const origin: Origin = { file: req.file, graph: bp.id, config: this.config.path ?? null };
      const queue = this.runs.remote;
      if (queue) {
        const handle = await queue.submit({ kind: "run", source: this.workspace.read(req.file), file: req.file, graph: bp.id, hash: bp.hash, input, threadId, metadata: { origin } });
        release();
        return this.runs.submitted(handle, bp.id, req.file);
      }
      const onEvent = eventObserver(this.registry);
      release();
      return this.runs.launch(g, req.file, input, { threadId, metadata: { origin }, ...(onEvent ? { onEvent } : {}) }, this.releaser);
    } finally {
      release();
    }
  }

  /**
   * Continues a thread (paused, forked, cancelled or failed) from its latest checkpoint,
   * answering its pending interrupts with `answer` (one) or `answers` (by id).
   */
  async resume(threadId: string, req: { answer?: unknown; answers?: Record<string, unknown> }): Promise<RunRecord> {
    // The slot and the thread are held across the awaits below (see RunManager.reserve).
    const release = this.runs.reserve(threadId);
    try {
      const tuple = await this.checkpointer.getTuple({ threadId });
      if (!tuple) throw notFound(`no thread ${threadId}`);
      const origin = tuple.metadata.origin as Origin | undefined;
      if (!origin?.file) throw badRequest(`thread ${threadId} was not started from a workspace file, so it does not say which file it runs`);
      const g = this.bind(origin.file, origin.graph);
      if (g.blueprint.hash !== tuple.checkpoint.blueprintHash) throw conflict(`thread ${threadId} was checkpointed under blueprint ${tuple.checkpoint.blueprintHash.slice(0, 19)}…, but ${origin.file} now compiles to ${g.blueprint.hash.slice(0, 19)}…; a changed graph is a new run`);
      const command: ResumeCommand = req.answers !== undefined ? { values: req.answers } : Object.hasOwn(req, "answer") ? { value: req.answer } : {};
      try {
        answerInterrupts(threadId, pendingInterrupts(tuple), recordedAnswers(tuple), command, { requireAnswer: true, checkAnswer: typedAnswerCheck(g, threadId) });
      } catch (e) {
        throw badRequest((e as Error).message, "invalid_resume");
      }
      const queue = this.runs.remote;
      if (queue) {
        const handle = await queue.submit({ kind: "resume", threadId, command, checkpointId: tuple.checkpoint.id, graph: g.blueprint.id, file: origin.file, metadata: { origin } });
        release();
        return this.runs.submitted(handle, g.blueprint.id, origin.file);
      }
      const onEvent = eventObserver(this.registry);
      release();
      return this.runs.launch(g, origin.file, null, { threadId, resume: command, metadata: { origin }, ...(onEvent ? { onEvent } : {}) }, this.releaser);
    } finally {
      release();
    }
  }

  /** The threads of the checkpoint file, most recent first, with the workspace file each runs; `filter`: only one file's (and graph's). */
  async threads(filter: ThreadFilter = {}): Promise<ThreadEntry[]> {
    const [summaries, held] = await Promise.all([this.checkpointer.threads(filter.thread !== undefined ? { threadId: filter.thread } : {}), this.checkpointer.runningThreads?.(filter.thread !== undefined ? [filter.thread] : undefined)]);
    return threadEntries(summaries, this.workspace, filter, held);
  }

  /**
   * Every checkpoint of the thread, newest first, each with the tasks of the superstep run
   * from it (`stepTasks`); with `namespace`, of that child run
   * (resolved through the thread's graph; listed, like the root's, without loading values).
   *
   * @throws ApiError 404 for an unknown thread or a namespace with no checkpoint, 400 for a malformed namespace.
   */
  async history(threadId: string, namespace?: string): Promise<HistoryEntry[]> {
    if (namespace === undefined) {
      const h = await historyWithTasks(this.checkpointer, threadId);
      if (!h.length) throw notFound(`no thread ${threadId}`);
      return h;
    }
    const g = await this.threadGraph(threadId);
    const at = await inNamespace(threadId, namespace, () => resolveNamespace(g, this.checkpointer, threadId, namespace));
    const h = await historyWithTasks(this.checkpointer, threadId, at.namespace);
    if (!h.length) throw notFound(`thread ${threadId} has no checkpoints in namespace \`${namespace}\``);
    return h;
  }

  /**
   * The state at a checkpoint (default: the latest) of the thread, or of the child run
   * `options.namespace` (`checkpointId` is then one of its checkpoints); `options.subgraphs`
   * nests pending tasks' child runs (`subgraphs`, by task id). Both read through the
   * thread's graph (`graph.getState`).
   *
   * @throws ApiError 404 for an unknown thread, checkpoint or child run, 400 for a malformed namespace.
   */
  async state(threadId: string, checkpointId?: string, options: { namespace?: string; subgraphs?: boolean } = {}): Promise<StateSnapshot> {
    if (options.namespace === undefined && !options.subgraphs) {
      const s = await getState(this.checkpointer, threadId, checkpointId);
      if (!s) throw notFound(checkpointId === undefined ? `no thread ${threadId}` : `thread ${threadId} has no checkpoint ${checkpointId}`);
      return s;
    }
    const g = await this.threadGraph(threadId);
    const s = await inNamespace(threadId, options.namespace, () => g.getState(threadId, checkpointId, options));
    const where = options.namespace !== undefined ? ` in namespace \`${options.namespace}\`` : "";
    if (!s) throw notFound(checkpointId === undefined ? `thread ${threadId} has no checkpoint${where}` : `thread ${threadId} has no checkpoint ${checkpointId}${where}`);
    return s;
  }

  /** `updateState` on the thread's latest checkpoint (or `checkpointId`; of the child run `namespace` when given), through the channel reducers. */
  async updateState(threadId: string, values: Record<string, unknown>, asNode?: string, options: { checkpointId?: string; namespace?: string } = {}): Promise<StateSnapshot> {
    return this.holding(threadId, () => this.updateStateHeld(threadId, values, asNode, options));
  }

  /** Runs `work` while holding thread `threadId` (no run slot) against runs and other edits (`RunManager.reserve`). */
  private async holding<T>(threadId: string, work: () => Promise<T>): Promise<T> {
    const hold = this.runs.reserve(threadId, false);
    try {
      return await work();
    } finally {
      hold();
    }
  }

  private async updateStateHeld(threadId: string, values: Record<string, unknown>, asNode: string | undefined, options: { checkpointId?: string; namespace?: string }): Promise<StateSnapshot> {
    const g = await this.threadGraph(threadId);
    try {
      return await inNamespace(threadId, options.namespace, async () => {
        try {
          return await g.updateState(threadId, values, { ...(asNode !== undefined ? { asNode } : {}), ...options });
        } catch (e) {
          if (e instanceof ThreadBusyError) throw threadBusy(e);
          if (e instanceof RagError && !(e instanceof NamespaceError)) throw new ApiError(e.code, e.message, 400);
          throw e;
        }
      });
    } finally {
      await this.releaseIdle(threadId);
    }
  }

  /** The checkpointer's `release`, for runs of this process to call when they end (undefined for local stores). */
  private get releaser(): ((threadId: string) => Promise<void>) | undefined {
    const cp = this.checkpointer;
    return cp.release ? (threadId) => cp.release!(threadId) : undefined;
  }

  /**
   * Gives up this process's claim on a thread it just wrote outside a run (a state edit,
   * a branch, a fork), unless one of its runs is executing there: a shared store keeps
   * a lock and a connection per thread written until released (`Checkpointer.release`).
   */
  private async releaseIdle(threadId: string): Promise<void> {
    if (!this.checkpointer.release || this.runs.activeOn(threadId)) return;
    await this.checkpointer.release(threadId).catch(() => undefined);
  }

  /**
   * Branches the thread at checkpoint `checkpointId` of its child run `namespace`
   * (`travelToSubgraph`, what `invoke(null, { threadId, checkpointId, checkpointNs })`
   * does before it runs): the thread's new head re-runs the parent's task, whose child
   * run continues from a copy of that checkpoint. Returns the new head with its child
   * runs nested (`subgraphs`) and where the travel left them (`travel`).
   *
   * @throws ApiError 404 for an unknown thread, checkpoint or child run, 400 for a malformed namespace, 409 for a changed blueprint.
   */
  async branchAtChild(threadId: string, namespace: string, checkpointId: string): Promise<StateSnapshot & { travel: TravelResult }> {
    return this.holding(threadId, () => this.branchAtChildHeld(threadId, namespace, checkpointId));
  }

  private async branchAtChildHeld(threadId: string, namespace: string, checkpointId: string): Promise<StateSnapshot & { travel: TravelResult }> {
    const g = await this.threadGraph(threadId);
    const travel = await inNamespace(threadId, namespace, async () => {
      try {
        return await travelToSubgraph(g, this.checkpointer, threadId, namespace, checkpointId);
      } catch (e) {
        if (e instanceof BlueprintMismatchError) throw conflict(e.message);
        if (e instanceof ThreadBusyError) throw threadBusy(e);
        if (e instanceof CheckpointError && !(e instanceof NamespaceError)) throw notFound(e.message);
        throw e;
      }
    }).finally(() => this.releaseIdle(threadId));
    const s = (await g.getState(threadId, undefined, { subgraphs: true }))!;
    return { ...s, travel };
  }

  /** The graph the thread was started with (its checkpoint metadata's `origin`), bound to the checkpointer. */
  private async threadGraph(threadId: string): Promise<CompiledGraph> {
    const tuple = await this.checkpointer.getTuple({ threadId });
    if (!tuple) throw notFound(`no thread ${threadId}`);
    const origin = tuple.metadata.origin as Origin | undefined;
    if (!origin?.file) throw badRequest(`thread ${threadId} was not started from a workspace file, so it does not say which file it runs`);
    return this.bind(origin.file, origin.graph);
  }

  /** Copies a checkpoint into a new thread (resume the new thread to re-run from there). */
  async fork(threadId: string, checkpointId: string, newThreadId?: string): Promise<StateSnapshot> {
    const to = newThreadId ?? newId("thread");
    // The new thread is held like a run's: a run started on the same new id meanwhile is refused.
    const hold = this.runs.reserve(to, false);
    try {
      return await fork(this.checkpointer, threadId, checkpointId, to);
    } catch (e) {
      if (e instanceof ThreadBusyError) throw threadBusy(e);
      if (e instanceof RagError) throw new ApiError(e.code, e.message, 400);
      throw e;
    } finally {
      hold();
      // The fork held both threads (`runtime/thread-hold.ts`): a shared store keeps their locks until released.
      await this.releaseIdle(to);
      await this.releaseIdle(threadId);
    }
  }

  /**
   * What the page's language worker checks against (the studio compiles in the browser):
   * the config's registry as a `ServiceRegistrySnapshot` (names, tool schemas, policy),
   * the approved blueprint hashes (so review-gated graphs warn as `rag check` does) and
   * the config's default input per graph.
   */
  languageSnapshot(): { registry: ServiceRegistrySnapshot; approved: string[]; defaultInputs: Record<string, unknown> } {
    const store = this.approvals();
    return { registry: serviceSnapshot(this.registry), approved: store.list().map((a) => a.hash), defaultInputs: { ...(this.config.config.defaultInputs ?? {}) } };
  }

  /** What a reviewer approves for each graph of `file`, and the semantic diff against the last approved version. */
  review(file: string): ReviewGraph[] {
    const source = this.graphSource(file);
    const store = this.approvals();
    const { blueprint: first, siblings } = blueprintOf(source, file, this.registry.view());
    void first;
    return [...siblings.values()].map((bp) => {
      const status = reviewStatus(this.registry, bp);
      // The record without its kept source (the page needs who and when; the text is in `lastApproved` of later versions).
      const record = store.list().find((a) => a.hash === bp.hash);
      const approval = record ? Object.fromEntries(Object.entries(record).filter(([k]) => k !== "source")) as Approval : null;
      const found = this.lastApproved(store.list().filter((a) => a.graph === bp.id && a.hash !== bp.hash));
      let lastApproved: ReviewGraph["lastApproved"] = null;
      if (found) {
        const previous = found.a;
        // The blueprint kept by an earlier studio approval, else the approved source
        // (kept in the record by `rag approve` and the studio) compiled again.
        const old = found.kept ?? approvedBlueprint(previous.source ?? "", file, bp.id, this.registry.view());
        const d = old instanceof Error ? undefined : diffBlueprints(old, bp);
        lastApproved = {
          hash: previous.hash,
          approvedAt: previous.approvedAt,
          diff: d ? renderDiff(d) : `the approved version cannot be compared semantically: ${(old as Error).message}`,
          changes: d ? d.changes.length : null,
          source: previous.source ?? null,
        };
      }
      const caps: Record<string, readonly string[]> = {};
      for (const [k, v] of Object.entries(bp.capabilities)) if (v.length && k !== "reducers") caps[k] = v;
      // What the registered agents and graphs it binds may use here, as `rag approve` prints it.
      const reach = reachReport(bp, { agent: (n) => this.registry.agents.get(n), graph: (n) => this.registry.graphs.get(n), nodeKinds: () => this.registry.nodeKinds.keys(), ...(this.registry.policy ? { policy: this.registry.policy } : {}) });
      const refused = reach.refused.map((r) => ({ via: r.via, graph: r.graph, reasons: r.refusals.map((x) => x.reason) }));
      return { graph: bp.id, hash: bp.hash, capabilities: caps, reaches: reach.reaches, refused, provenance: bp.provenance ?? null, nodes: bp.nodes.length, approved: store.isApproved(bp.hash), required: status.required, approval, lastApproved };
    });
  }

  /**
   * Approves the graph of `file` that compiles to `opts.hash` — the version the reviewer
   * was shown (`review`) — exactly as `rag approve` does, and keeps the approved blueprint
   * for later diffs. The file is read again here: when it changed since the review (a
   * model, an editor, another request rewrote it), its graphs have other hashes and
   * nothing is approved.
   *
   * @throws ApiError 400 when `opts.graph` is not declared in `file`; 409 `hash_mismatch`
   *   when no graph of `file` (or `opts.graph`) compiles to `opts.hash` now.
   */
  approve(file: string, opts: { graph?: string; hash: string; by?: string; note?: string }): Approval[] {
    const source = this.graphSource(file);
    this.approvals();
    const { siblings } = blueprintOf(source, file, this.registry.view());
    const named = [...siblings.values()].filter((b) => opts.graph === undefined || b.id === opts.graph);
    if (!named.length) throw badRequest(`graph \`${opts.graph}\` is not declared in ${file}`);
    const bps = named.filter((b) => b.hash === opts.hash);
    if (!bps.length) {
      const now = named.map((b) => `\`${b.id}\` ${b.hash.slice(0, 19)}…`).join(", ");
      throw new ApiError("hash_mismatch", `${file} changed since it was reviewed: no graph${opts.graph !== undefined ? ` \`${opts.graph}\`` : ""} of it compiles to ${opts.hash.slice(0, 19)}… now (${now}); review it again and approve the hash shown`, 409);
    }
    return bps.map((bp) => {
      const a = approveBlueprint(this.registry, bp, { ...(opts.by ? { approvedBy: opts.by } : {}), ...(opts.note ? { note: opts.note } : {}), source });
      writeKeptBlueprint(this.keptPath(bp.hash), bp, this.keptRoot);
      return a;
    });
  }

  /** The newest of `approvals` whose blueprint can be shown (kept by the studio, or its source in the record), with the kept blueprint. */
  private lastApproved(approvals: readonly Approval[]): { a: Approval; kept: Blueprint | undefined } | undefined {
    for (const a of [...approvals].sort((x, y) => y.approvedAt.localeCompare(x.approvedAt))) {
      const kept = readKeptBlueprint(this.keptPath(a.hash));
      if (kept || typeof a.source === "string") return { a, kept };
    }
    return undefined;
  }

  private keptPath(hash: string): string {
    return join(dirname(this.approvalsPath), "approved", `${hash.replace(/^sha256:/, "").replace(/[^0-9a-f]/g, "")}.json`);
  }

  /**
   * Runs one `.ragsh` cell (or `:load`, `:reset`) in the studio's console session
   * (`StudioConsole`, server/console.ts: the same rules as `rag repl`).
   * @throws ApiError 429 `repl_busy` past `MAX_QUEUED_CELLS`.
   */
  replCell(source: string): Promise<Record<string, unknown>> {
    return this.console.cell(source);
  }

  close(): void {
    this.runs.cancelAll();
    this.console.end("the studio stopped");
    this.checkpointer.close?.();
  }
}

/**
 * Runs `f` (a read or write of the child run `ns`), turning a `NamespaceError` into an
 * `ApiError` with code `checkpoint_namespace`: 400 when `ns` itself is malformed or too
 * deep, 404 when it is well formed but names no child run of the thread.
 */
async function inNamespace<T>(threadId: string, ns: string | undefined, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (!(e instanceof NamespaceError)) throw e;
    const message = e.message.includes(`\`${threadId}\``) ? e.message : `thread ${threadId}, namespace \`${ns ?? e.namespace}\`: ${e.message}`;
    throw new ApiError(e.code, message, e.reason === "not_found" ? 404 : 400);
  }
}

/** Graph `graph` of an approved source, compiled again (an Error saying why when it no longer compiles or lacks the graph). */
function approvedBlueprint(source: string, file: string, graph: string, registry: RegistryView): Blueprint | Error {
  try {
    return blueprintOf(source, `${file} (approved)`, registry, graph).blueprint;
  } catch (e) {
    return e as Error;
  }
}

export { errorToJson };
