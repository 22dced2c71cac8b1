/**
 * A `.ragsh` session (`repl.md`): a persistent namespace, the built-in capability
 * functions bound to a registry through a host (`host.ts`), a policy, and typed
 * events. `runCell(source)` parses, statically checks and runs one cell, and returns
 * `{stdout, value, variablesChanged, calls, finalAnswer?, elapsedMs, diagnostics}` —
 * never throws for anything a script does.
 *
 * A person's prompt (`rag repl`), a script file and a model's ```ragsh blocks (the
 * `repl_agent` node) all go through `runCell`.
 */
import type { Blueprint, CapabilityKind, Decision } from "../compiler/index.js";
import { diagnostic, hasErrors, sortDiagnostics, type Diagnostic } from "../grammar/diagnostic.js";
import { parseRagsh } from "../grammar/ragsh/parse.js";
import type { Registry, SessionPolicy } from "../registry/index.js";
import { sessionPolicy, SpendBook } from "../registry/index.js";
import { getState, MemoryCheckpointer, type Checkpointer, type ResumeCommand, type RunEvent } from "../runtime/index.js";
import { capabilityFunctions, RESERVED_CAPABILITIES } from "./builtins.js";
import { checkCell } from "./check.js";
import { asScriptError, LimitError, ScriptError } from "./errors.js";
import type { AnyEvent, CallRecord, SessionEventBody, SessionSink } from "./events.js";
import { compiledByHash } from "./graph-builtins.js";
import { sessionHost, type CapabilityHost, type GraphOutcome, type HostIds } from "./host.js";
import type { CellState, SessionCore } from "./session-core.js";
import { SessionTrust, type Author } from "./session-trust.js";
import { Interpreter } from "./interpreter.js";
import { NO_HEADROOM_PREVIEW, NoHeadroom, previewReader, type HeapProbe } from "./heap-headroom.js";
import { nodeHeapProbe } from "./heap-probe.js";
import { boundRetained, propertyNamesAt } from "./session-variables.js";
import { toDiagnostic, zeroSpan } from "./cell-diagnostics.js";
import type { MethodRuntime } from "./method-runtime.js";
import { standardGlobals } from "./methods.js";
import { InMemoryApprovals, type ApprovalStore } from "./review.js";
import { KEY_LIST_WORK } from "./costs.js";
import { recordKeys } from "./record-keys.js";
import { formatValue, fromHost, keyCache, MAX_VALUE_DEPTH, toHost } from "./boundary.js";
import { Env, isPlainData, type Value } from "./values.js";

export interface SessionParent {
  readonly rootRunId: string;
  readonly parentRunId: string;
  /** Depth of the parent run; the session is one deeper. */
  readonly depth: number;
  readonly namespace: string;
}

export interface SessionOptions {
  readonly registry: Registry;
  /** Overrides of the registry's session policy. */
  readonly policy?: Partial<SessionPolicy>;
  /** The session input, bound to `context`. */
  readonly context?: unknown;
  /** Graph state, bound to `state` (inside a node). */
  readonly state?: Readonly<Record<string, unknown>>;
  /** Conversation, bound to `messages`. */
  readonly messages?: readonly unknown[];
  readonly sink?: SessionSink;
  /** Who writes the cells: graphs a model generates need review (`reviewGeneratedGraphs`). Default `human`. */
  readonly author?: Author;
  readonly approvals?: ApprovalStore;
  /** Builds the capability host; default: the registry directly (`sessionHost`). */
  readonly host?: (emit: (body: SessionEventBody, capability?: string) => void, forward: (e: RunEvent) => void, checkpointer: Checkpointer) => CapabilityHost;
  /** Where graph runs checkpoint (`graph_history`, `:resume`); default: in memory, for the session's life. */
  readonly checkpointer?: Checkpointer;
  readonly parent?: SessionParent;
  /** Graphs callable by name besides the registry's (e.g. the other graphs of a file). */
  readonly graphs?: ReadonlyMap<string, Blueprint>;
  readonly sessionId?: string;
  /**
   * Reads the process's heap before a cell reads a long string (`heap-headroom.ts`);
   * default `v8.getHeapStatistics` (`heap-probe.ts`), `null`: no check.
   */
  readonly heapProbe?: HeapProbe | null;
}

export interface CellResult {
  readonly cellId: string;
  readonly ok: boolean;
  readonly source: string;
  /** The name diagnostics use for this cell's source (`<cell 3>` or a file name). */
  readonly file: string;
  readonly stdout: string;
  /** The value of the cell's last expression statement, as plain data. */
  readonly value: unknown;
  readonly variablesChanged: readonly string[];
  readonly calls: readonly CallRecord[];
  /** Set when the cell called `answer(…)`. */
  readonly finalAnswer?: unknown;
  readonly elapsedMs: number;
  /** Operations (evaluated syntax nodes) the cell used, against `maxOperations`. */
  readonly operations: number;
  readonly diagnostics: readonly Diagnostic[];
}

export class Session implements SessionCore {
  readonly id: string;
  readonly rootRunId: string;
  readonly parentRunId: string | undefined;
  readonly depth: number;
  readonly namespace: string;
  readonly policy: SessionPolicy;
  readonly registry: Registry;
  /**
   * Who the session's cells are trusted as now: its `author`, or `model` once it ran a
   * model-written script (`lowerTrust`) — until a person's `:reset` (`restoreTrust`).
   */
  get author(): Author {
    return this.trust.author;
  }
  readonly approvals: ApprovalStore;
  readonly host: CapabilityHost;
  /** Checkpoints of the graph runs this session starts. */
  readonly checkpointer: Checkpointer;
  /** A top-level session's budget ledger (`registry/spend.ts`); undefined inside a node (the node's run's is used). */
  readonly spend: SpendBook | undefined;
  /** Graphs registered in this session (`graph_register`), by name. */
  readonly graphs = new Map<string, Blueprint>();
  /** Threads this session's graph runs created or continued (what `threadAccess: "session"` lets a script see). */
  readonly threads = new Set<string>();
  readonly extraGraphs: ReadonlyMap<string, Blueprint>;
  /** Calls made so far, per budget (`model`, `tool`, `agent`, `graph`, `definition`). */
  readonly counts = { model: 0, tool: 0, agent: 0, graph: 0, definition: 0 };
  /**
   * The newest `HISTORY_CELLS` cells (what `:history` lists and the `history` binding reads),
   * each source and output cut to `HISTORY_TEXT_CHARS` characters: kept for the session's
   * life, so bounded — a client sending cell after large cell (refused ones included) grew it
   * without end.
   */
  readonly history: { cellId: string; source: string; ok: boolean; value: unknown; stdout: string }[] = [];
  finalAnswer: unknown = undefined;
  /** The last route label a script emitted (`emit("route", "needs_review")`), for `repl_agent` routing. */
  routeLabel: string | undefined;
  answered = false;
  current: CellState | undefined;

  private readonly builtins = new Env(undefined);
  private globals = new Env(this.builtins);
  private readonly sink: SessionSink | undefined;
  private readonly inputs: { context: unknown; state: unknown; messages: unknown };
  private cellCount = 0;
  private ended = false;
  /** The session's trust of the moment and its grant (`author`, `lowerTrust`). */
  private readonly trust: SessionTrust;

  /** Reads the process's heap before long strings are read (`SessionOptions.heapProbe`). */
  private readonly heapProbe: HeapProbe | undefined;

  constructor(readonly options: SessionOptions) {
    this.registry = options.registry;
    this.heapProbe = options.heapProbe === null ? undefined : (options.heapProbe ?? nodeHeapProbe);
    this.policy = sessionPolicy({ ...options.registry.sessionPolicy, ...options.policy });
    this.id = options.sessionId ?? `session-${globalThis.crypto.randomUUID().slice(0, 13)}`;
    this.rootRunId = options.parent?.rootRunId ?? this.id;
    this.parentRunId = options.parent?.parentRunId;
    this.depth = options.parent ? options.parent.depth + 1 : 0;
    this.namespace = options.parent ? `${options.parent.namespace}/${this.id}` : this.id;
    this.trust = new SessionTrust(options.registry, options.author ?? "human");
    this.approvals = options.approvals ?? new InMemoryApprovals();
    this.extraGraphs = options.graphs ?? new Map();
    this.sink = options.sink;
    this.inputs = { context: options.context ?? null, state: options.state ?? {}, messages: options.messages ?? [] };
    this.checkpointer = options.checkpointer ?? new MemoryCheckpointer();
    // A top-level session's budget ledger (in memory): its model calls and its graph runs
    // are charged to it, the graph runs to their threads too (`LinkedLedger`). A session
    // inside a node has its node's run's instead (`nodeHost`).
    this.spend = options.parent ? undefined : new SpendBook();
    // The default host asks the session's grant of the moment, so lowering the trust holds for every later call and graph run.
    this.host = (options.host ?? ((emit, forward, cp) => sessionHost(this.registry, emit, forward, cp, this.trust.grant)))((body, cap) => this.emit(body, cap), (e) => this.sink?.(e), this.checkpointer);
    this.emit({ type: "session_started", policy: { ...this.policy } });
  }

  // ─────────────────────────────── events ───────────────────────────────

  /** Emits a session event stamped with the session's ids (and the current cell's). */
  emit(body: SessionEventBody, capability?: string): void {
    if (!this.sink) return;
    const e = {
      ...body,
      sessionId: this.id,
      runId: this.id,
      rootRunId: this.rootRunId,
      ...(this.parentRunId ? { parentRunId: this.parentRunId } : {}),
      ...(this.current ? { cellId: this.current.cellId } : {}),
      depth: this.depth,
      ...(capability ? { capability } : {}),
      timestamp: Date.now(),
    } as AnyEvent;
    this.sink(e);
  }

  /** The span of the call being evaluated (for diagnostics raised inside built-ins). */
  currentSpan() {
    return this.interpreter?.callSpan ?? zeroSpan();
  }

  /** Ids for the host: who is calling. */
  hostIds(): HostIds {
    return { sessionId: this.id, rootRunId: this.rootRunId, depth: this.depth, namespace: this.namespace, cellId: this.current?.cellId ?? "c0", ...(this.spend ? { spend: this.spend } : {}) };
  }

  // ─────────────────────────────── the namespace ───────────────────────────────

  /**
   * The running cell's budgets, for built-ins: `alloc` charges bytes to its memory
   * budget, `work` charges native work to its operations and checks its clock. No-ops
   * between cells.
   */
  readonly runtime: MethodRuntime = {
    alloc: (n) => this.interpreter?.alloc(n),
    work: (n) => this.interpreter?.work(n),
    readChars: (x) => this.interpreter?.readChars(x),
  };

  /**
   * A script value copied out of the session for people and programs (the cell's value,
   * the answer, event data): functions described, cut past `maxBytes` (default the
   * `maxValueBytes` policy) or 64 levels, with a `W-ragsh-value-truncated` warning on
   * the current cell. Never throws for the value's shape. With `charge` (a cell's
   * `cellCharge`), each item's bytes are charged before it is copied — event data and
   * answers a cell may send many times — and whatever `charge` throws stops the copy.
   */
  exportValue(v: Value, what: string, maxBytes = this.policy.maxValueBytes, warn = true, charge?: (bytes: number) => void): unknown {
    const cell = this.current;
    let warned = false;
    return toHost(v, {
      functions: "describe",
      what,
      overflow: "truncate",
      maxBytes,
      ...(charge ? { charge } : {}),
      onTruncate: (path, why) => {
        if (!warn || warned || !cell) return;
        warned = true;
        cell.warnings.push(diagnostic("W-ragsh-value-truncated", `${what} was cut at \`${path}\`: it is ${why}`, this.currentSpan(), {
          file: cell.file,
          label: "cut here",
          help: "values leaving a session are bounded (`maxValueBytes`, 64 levels, no cycles); return a summary or a slice",
        }));
      },
    });
  }

  /** Host data copied into the session at the start of a cell (inputs), cut rather than refused when too deep or large. */
  private importValue(v: unknown, what: string, cell: CellState, bounds: { maxDepth?: number; maxBytes?: number; warn?: boolean } = {}): Value {
    let warned = false;
    return fromHost(v, what, {
      overflow: "truncate",
      maxDepth: bounds.maxDepth ?? MAX_VALUE_DEPTH,
      maxBytes: bounds.maxBytes ?? Math.max(this.policy.maxMemoryBytes, this.policy.maxValueBytes),
      onTruncate: (path, why) => {
        if (bounds.warn === false || warned) return;
        warned = true;
        cell.warnings.push(diagnostic("W-ragsh-value-truncated", `${what} was cut at \`${path}\`: it is ${why}`, zeroSpan(), { file: cell.file, label: "cut here", help: "inputs entering a session are bounded in depth and size" }));
      },
    });
  }

  /** Names of the session's variables (not built-ins). */
  variableNames(): string[] {
    return [...this.globals.vars.keys()];
  }

  /** The session's variables as plain data (functions described). */
  variables(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, b] of this.globals.vars) out[k] = this.exportValue(b.value, `variable \`${k}\``, this.policy.maxValueBytes, false);
    return out;
  }

  /** A readable one-line preview of each variable; `rt`: the running cell's budgets, when its script asked (`show_vars()`), charged for each record's keys. */
  variablePreviews(max = 80, rt?: MethodRuntime): Record<string, string> {
    const out: Record<string, string> = {};
    rt?.work(this.globals.vars.size * KEY_LIST_WORK);
    const keys = rt ? (o: object) => recordKeys(rt, o) : undefined;
    for (const [k, b] of this.globals.vars) out[k] = this.preview(b.value, max, keys);
    return out;
  }

  /**
   * A variable's preview, outside any cell's limits: a long string whose copy (a rope
   * read flat, `heap-headroom.ts`) would not fit the heap's headroom is not rendered.
   */
  private preview(v: Value, max: number, keys?: (o: object) => string[]): string {
    try {
      return formatValue(v, max, keys, previewReader(this.heapProbe));
    } catch (e) {
      if (e instanceof NoHeadroom) return NO_HEADROOM_PREVIEW;
      throw e;
    }
  }

  /** Every reserved name: capabilities, session inputs and the standard globals (known before the first cell too, for completion). */
  reservedNames(): string[] {
    if (this.builtins.vars.size) return [...this.builtins.vars.keys()];
    return [...standardGlobals(this.runtime).keys(), ...RESERVED_CAPABILITIES, "context", "state", "messages", "history", "run"];
  }

  /**
   * The property names of variable or reserved name `name` (record keys, or the methods
   * of a list or string), for completing `name.<Tab>`; empty when unknown.
   */
  propertyNames(name: string, path: readonly (string | number)[] = []): string[] {
    const b = this.globals.vars.get(name) ?? this.builtins.vars.get(name);
    if (!b) return [];
    // `r[0].te<Tab>`: follow the path through the data (`session-variables.ts`).
    return propertyNamesAt(b.value, path);
  }

  /**
   * A person approves a generated graph's hash (`:approve HASH`): recorded in the
   * registry's approval store (so the runtime's review gate lets it run) and returned as
   * a review token for `graph_register({…, review: token})`. Never reachable from a script.
   */
  approve(hash: string, reviewer: string): string {
    this.personCommand(":approve");
    const bp = compiledByHash(this, hash) ?? [...this.graphs.values()].find((g) => g.hash === hash);
    this.registry.approvals.approve(bp ?? { id: "(session graph)", hash }, { approvedBy: reviewer, note: `approved at the prompt of ${this.id}` });
    return this.approvals.approve(hash, reviewer);
  }

  /**
   * The one check of a person's command at the prompt — `:approve` (writes the project's
   * approvals), `:resume` (answers a paused run's interrupts), `:save` (writes a file):
   * refused in a session whose own input a model writes (`author: "model"`: model-written
   * input piped into `rag repl`), which may do only what `rag repl gen.ragsh` does (cells,
   * `:load`, `:reset`). A person's session lowered by a `:load`ed model-written script
   * keeps them: a script cannot type a colon command, only the person at the prompt can.
   * (Piped model-written input ran `:approve` with the person's grants, red team round 10.)
   *
   * @throws ScriptError `E-ragsh-capability-denied` when the session's input is a model's.
   */
  personCommand(command: string): void {
    if (this.trust.owner !== "model") return;
    throw new ScriptError("E-ragsh-capability-denied", `\`${command}\` is a person's command, and this session's input was written by a model (\`// rag:generated-by\`): it runs as \`rag repl FILE.ragsh\` runs a model's script (cells, \`:load\`, \`:reset\`)`, undefined, {
      help: "a person approves a hash with `rag approve` or at an interactive `rag repl` prompt, and answers a paused run there with `:resume`",
    });
  }

  /** Cancels the running cell, and the capability call in flight (`E-ragsh-cancelled`); a no-op between cells. */
  cancel(): void {
    this.current?.controller.abort(new LimitError("E-ragsh-cancelled", "the cell was cancelled", undefined, { help: "variables it set before the cancellation keep their values" }));
  }

  /**
   * The authorisation check of a capability call (`capability-calls.ts`): the host's, and
   * once the session's trust was lowered, the model's grant too (`SessionTrust.narrow`).
   */
  authorize(kind: CapabilityKind, name: string): Decision {
    return this.trust.narrow(this.host.authorize(kind, name), kind, name);
  }

  /**
   * The session ran a model-written script (`:load` of a `.ragsh` file whose pragma says
   * `// rag:generated-by model`): its cells are trusted as a model's until a person's
   * `:reset` (`session-trust.ts`). Returns true when it was lowered now.
   */
  lowerTrust(file: string): boolean {
    if (!this.trust.lower(file)) return false;
    this.graphsBeforeLowering = new Map(this.graphs);
    return true;
  }

  /** The session's graphs when its trust was lowered (what a person's `:reset` gives back). */
  private graphsBeforeLowering: Map<string, Blueprint> | undefined;

  /**
   * A person's `:reset`: the session is trusted as its `SessionOptions.author` again.
   * Returns true when the trust was raised back; false, leaving it lowered, while a cell
   * runs or waits (it may be the model's, and would go on with the person's grants).
   */
  restoreTrust(): boolean {
    if (this.queuedCells > 0 || !this.trust.restore()) return false;
    // Graphs are callable too: those registered while lowered (a model script's, under
    // the name of the person's own or a new one) go, and the ones they replaced come back.
    const before = this.graphsBeforeLowering ?? new Map<string, Blueprint>();
    for (const [name, bp] of [...this.graphs]) if (before.get(name) !== bp) this.graphs.delete(name);
    for (const [name, bp] of before) this.graphs.set(name, bp);
    this.graphsBeforeLowering = undefined;
    return true;
  }

  /**
   * Forgets every variable (`:reset`); registered graphs, budgets and the history stay
   * (a person's `restoreTrust` then gives back the graphs of before a lowering).
   * With `keep: "data"` (`:reset data`), variables whose value is plain data — primitives,
   * lists and records of them, no function or namespace anywhere inside — stay: data runs
   * nothing, so a person may keep a model-written script's results and still have the
   * session back (`restoreTrust`), while every function it defined (and every value that
   * holds one) goes. Returns the names kept, in definition order.
   */
  reset(keep?: "data"): string[] {
    const old = this.globals;
    this.globals = new Env(this.builtins);
    if (keep !== "data") return [];
    const kept: string[] = [];
    for (const [name, b] of old.vars) {
      if (!isPlainData(b.value)) continue;
      this.globals.vars.set(name, b);
      kept.push(name);
    }
    return kept;
  }

  /** Reinstalls every reserved name from host data (restored after each cell, `repl.md` §2). */
  private restoreBuiltins(cell: CellState): void {
    const b = this.builtins.vars;
    b.clear();
    for (const [k, v] of standardGlobals(this.runtime)) b.set(k, { value: v, constant: true });
    for (const [k, v] of capabilityFunctions(this, cell)) b.set(k, { value: v, constant: true });
    const run = { session: this.id, root_run: this.rootRunId, parent_run: this.parentRunId ?? null, depth: this.depth, cell: cell.cellId, cells: this.cellCount };
    b.set("context", { value: this.importValue(this.inputs.context, "the session context", cell), constant: true });
    b.set("state", { value: this.importValue(this.inputs.state, "the graph state", cell), constant: true });
    b.set("messages", { value: this.importValue(this.inputs.messages, "the messages", cell), constant: true });
    // The last HISTORY_CELLS cells; their values were bounded when recorded (so one cell's
    // value can never make this copy fail and poison every later cell).
    const recent = this.history.slice(-HISTORY_CELLS).map((h) => ({ cell: h.cellId, source: h.source, ok: h.ok, value: h.value, stdout: h.stdout }));
    b.set("history", { value: this.importValue(recent, "the history", cell, { maxDepth: MAX_VALUE_DEPTH + 2, warn: false }), constant: true });
    b.set("run", { value: fromHost(run, "the run metadata"), constant: true });
  }

  private interpreter: Interpreter | undefined;

  // ─────────────────────────────── cells ───────────────────────────────

  /** The tail of the cell queue: resolves when the last accepted cell has finished. */
  private queueTail: Promise<unknown> = Promise.resolve();
  /** Cells accepted and not yet finished: the running one plus those waiting behind it (a trust restore waits for none). */
  private queuedCells = 0;

  /**
   * Runs one cell. Never throws for anything the script does; problems are diagnostics.
   * Cells of one session run one at a time, in the order `runCell` was called: a cell that
   * is called while another runs (or waits) starts when those before it have finished, so
   * no cell ever sees another's current-cell state (output, id, limits, cancellation).
   */
  runCell(source: string, options: { file?: string } = {}): Promise<CellResult> {
    const start = () => this.runCellGuarded(source, options).finally(() => this.queuedCells--);
    // An idle session starts the cell at once (so `cancel()` right after `runCell` reaches it).
    const turn = this.queuedCells++ === 0 ? start() : this.queueTail.then(start);
    this.queueTail = turn.catch(() => undefined);
    return turn;
  }

  /** Records a cell in `history`, dropping the oldest past `HISTORY_CELLS` and cutting long text. */
  private remember(entry: Session["history"][number]): void {
    const cut = (t: string) => (t.length > HISTORY_TEXT_CHARS ? `${t.slice(0, HISTORY_TEXT_CHARS)}… (${t.length - HISTORY_TEXT_CHARS} more characters)` : t);
    this.history.push({ ...entry, source: cut(entry.source), stdout: cut(entry.stdout) });
    if (this.history.length > HISTORY_CELLS) this.history.splice(0, this.history.length - HISTORY_CELLS);
  }

  private async runCellGuarded(source: string, options: { file?: string }): Promise<CellResult> {
    try {
      return await this.runCellUnguarded(source, options);
    } catch (e) {
      // A bug, not a script's doing: the cell fails with `E-ragsh-internal`; the session stays usable.
      const cell = this.current;
      this.current = undefined;
      const file = cell?.file ?? options.file ?? `<cell ${this.cellCount}>`;
      const d = toDiagnostic(asScriptError(e, zeroSpan()), file);
      this.remember({ cellId: cell?.cellId ?? `c${this.cellCount}`, source, ok: false, value: null, stdout: "" });
      return { cellId: cell?.cellId ?? `c${this.cellCount}`, ok: false, source, file, stdout: "", value: null, variablesChanged: [], calls: cell?.calls ?? [], elapsedMs: 0, operations: 0, diagnostics: [d] };
    }
  }

  private async runCellUnguarded(source: string, options: { file?: string }): Promise<CellResult> {
    const started = performance.now();
    const cellId = `c${++this.cellCount}`;
    const file = options.file ?? `<cell ${this.cellCount}>`;
    const cell: CellState = { cellId, file, controller: new AbortController(), stdout: [], outputBytes: 0, calls: [], warnings: [], answered: false, answer: undefined, callSeq: 0 };
    this.current = cell;
    this.interpreter = undefined;
    this.emit({ type: "cell_started", source });
    const finish = (ok: boolean, value: unknown, diagnostics: Diagnostic[], changed: string[] = [], historyValue: unknown = null): CellResult => {
      const elapsedMs = Math.round((performance.now() - started) * 100) / 100;
      const all = sortDiagnostics([...diagnostics, ...cell.warnings]);
      const stdout = cell.stdout.join("");
      const result: CellResult = { cellId, ok, source, file, stdout, value, variablesChanged: changed, calls: cell.calls, ...(cell.answered ? { finalAnswer: cell.answer } : {}), elapsedMs, operations: this.interpreter?.operations ?? 0, diagnostics: all };
      this.remember({ cellId, source, ok, value: ok ? historyValue : null, stdout });
      if (ok) this.emit({ type: "cell_completed", value, elapsedMs, variablesChanged: changed, calls: cell.calls.length });
      else this.emit({ type: "cell_failed", diagnostics: all.map((d) => ({ code: d.code, message: d.message, line: d.span.start.line, column: d.span.start.column })), elapsedMs });
      this.current = undefined;
      return result;
    };

    if (this.cellCount > this.policy.maxCells) {
      return finish(false, null, [diagnostic("E-ragsh-cell-limit", `the session reached its limit of ${this.policy.maxCells} cells`, zeroSpan(), { file, help: "start a new session, or raise the `maxCells` policy" })]);
    }
    const parsed = parseRagsh(source, { file, limits: { scriptBytes: this.policy.maxScriptBytes } });
    if (hasErrors(parsed.diagnostics)) return finish(false, null, [...parsed.diagnostics]);

    const interp = new Interpreter(this.globals);
    this.interpreter = interp;
    try {
      this.restoreBuiltins(cell);
    } catch (e) {
      return finish(false, null, [toDiagnostic(asScriptError(e, zeroSpan()), file)]);
    }
    const checked = checkCell({ program: parsed.value, globals: new Set(this.globals.vars.keys()), reserved: new Set(this.builtins.vars.keys()), capabilities: this.capabilityNames(), file });
    if (hasErrors(checked)) return finish(false, null, [...parsed.diagnostics, ...checked]);

    const before = new Map([...this.globals.vars].map(([k, b]) => [k, b.value]));
    const timer = setTimeout(() => cell.controller.abort(), this.policy.timeoutMs);
    let value: Value = undefined;
    let failure: Diagnostic | undefined;
    try {
      value = await interp.run(parsed.value, { maxOperations: this.policy.maxOperations, maxMemoryBytes: this.policy.maxMemoryBytes, maxCallDepth: this.policy.maxCallDepth, timeoutMs: this.policy.timeoutMs, ...(this.heapProbe ? { heapProbe: this.heapProbe } : {}) }, cell.controller.signal);
    } catch (e) {
      failure = toDiagnostic(asScriptError(e, parsed.value.span), file);
    } finally {
      clearTimeout(timer);
      cell.controller.abort();
    }
    // What the session keeps is bounded too, not only what one cell builds (`retained.ts`).
    const overflow = boundRetained(this.globals, this.builtins, this.policy.maxSessionMemoryBytes, () => this.reset(), interp.touched, before, file, parsed.value.span);
    if (overflow) failure = failure ?? overflow;
    const changed = [...interp.touched].filter((k) => !before.has(k) || before.get(k) !== this.globals.vars.get(k)?.value || isMutable(before.get(k)));
    // One listing per record for all the previews (`keyCache`): a cell's names may share records.
    const keys = keyCache();
    for (const name of changed) this.emit({ type: "variable_changed", name, preview: this.preview(this.globals.vars.get(name)?.value, 120, keys) });
    if (cell.answered) {
      this.finalAnswer = cell.answer;
      this.answered = true;
      this.emit({ type: "final_answer", value: cell.answer });
    }
    if (failure) return finish(false, null, [...parsed.diagnostics, ...checked, failure, ...(overflow && overflow !== failure ? [overflow] : [])], changed);
    const out = this.exportValue(value, "the cell's value");
    return finish(true, out, [...parsed.diagnostics, ...checked], changed, this.exportValue(value, "the cell's value", HISTORY_VALUE_BYTES, false));
  }

  /** Capability names a cell may use: the registry's plus this session's graphs. */
  capabilityNames() {
    const r = this.registry;
    return {
      models: new Set(r.models.keys()),
      tools: new Set(r.tools.keys()),
      agents: new Set(r.agents.keys()),
      graphs: new Set([...r.graphs.keys(), ...this.extraGraphs.keys(), ...this.graphs.keys()]),
    };
  }

  /** The blueprint a graph name refers to: this session's, the extra graphs, then the registry's. */
  graph(name: string): Blueprint | undefined {
    return this.graphs.get(name) ?? this.extraGraphs.get(name) ?? this.registry.graphs.get(name);
  }

  /**
   * Resumes a paused graph run of this session (`:resume THREAD JSON` at the prompt): the
   * graph is the one the thread's latest checkpoint names. A person answers interrupts;
   * scripts cannot (there is no resume built-in), so a model never approves its own pause.
   *
   * @throws Error when the thread has no checkpoint or its graph is not known here.
   */
  async resumeThread(thread: string, command: ResumeCommand): Promise<GraphOutcome> {
    this.personCommand(":resume");
    const snap = await getState(this.checkpointer, thread);
    if (!snap) throw new Error(`thread \`${thread}\` has no checkpoint in this session`);
    // A person resumed it at the prompt: the session's scripts may follow it from here.
    this.threads.add(thread);
    const bp = this.graph(snap.graph);
    if (!bp) throw new Error(`thread \`${thread}\` ran graph \`${snap.graph}\`, which is not registered here`);
    const pending = snap.interrupts;
    const answers: Record<string, unknown> = command.values ? { ...command.values } : command.value !== undefined && pending.length === 1 ? { [pending[0].id]: command.value } : {};
    if (command.value !== undefined && pending.length > 1) throw new Error(`thread \`${thread}\` has ${pending.length} pending interrupts; answer them by id: {"values": {${pending.map((i) => `"${i.id}": …`).join(", ")}}}`);
    const unanswered = pending.filter((i) => i.kind === "node" && !(i.id in answers));
    if (unanswered.length) throw new Error(`thread \`${thread}\` waits for an answer to ${unanswered.map((i) => `\`${i.id}\` (${i.node})`).join(", ")}: :resume ${thread} JSON`);
    return this.host.runGraph({ name: snap.graph, blueprint: bp, graphs: new Map([...this.extraGraphs, ...this.graphs]), input: null, thread, answers }, this.hostIds(), new AbortController().signal);
  }

  /**
   * Ends the session: `session_completed` (or `session_failed` with `error`, and the
   * `diagnostics` of what failed when given: a loaded `.rag` file's, as `rag check --json` prints them).
   */
  end(error?: string, diagnostics?: readonly unknown[]): void {
    if (this.ended) return;
    this.ended = true;
    if (error !== undefined) this.emit({ type: "session_failed", cells: this.cellCount, error, ...(diagnostics ? { diagnostics } : {}) });
    else this.emit({ type: "session_completed", cells: this.cellCount, ...(this.answered ? { finalAnswer: this.finalAnswer } : {}) });
  }
}

/** Lists and objects may have changed in place; report them when the cell touched their name. */
function isMutable(v: unknown): boolean {
  return typeof v === "object" && v !== null;
}

/** Cells the `history` binding holds (the newest), and the size each one's value keeps there. */
const HISTORY_CELLS = 100;
const HISTORY_VALUE_BYTES = 64 * 1024;
/** Characters of a cell's source and of its output the session's record keeps (the script length limit's 65,536). */
const HISTORY_TEXT_CHARS = 64 * 1024;

export { RESERVED_CAPABILITIES, ScriptError, toDiagnostic };
