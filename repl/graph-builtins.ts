/**
 * The graph functions of a session (`repl.md` §2, §6): a `.rag` source a script (or a
 * model) writes is only a proposal; it reaches the runtime only through
 *
 *   graph_define → graph_validate → graph_compile → graph_register → graph_run
 *
 * through the same compiler as `.rag` files, against the session's registry. Drafts and
 * compiled graphs stay on the host side; the script holds handles (`{kind: "draft",
 * id, …}`), so it cannot forge a blueprint or its hash. Graphs written by a model need
 * a review token for their hash before they can be registered (`reviewGeneratedGraphs`).
 */
import { compile, compileGraph, diffBlueprints, PLAIN_STYLE, renderDiagnostics, renderDiff, type Blueprint, type Provenance, type RegistryView } from "../compiler/index.js";
import type { Diagnostic } from "../grammar/diagnostic.js";
import { reviewStatus } from "../registry/index.js";
import { getState, getStateHistory } from "../runtime/index.js";
import { LineIndex } from "../grammar/span.js";
import { argsOut, authorizeCall, batch, invoke, recordArg, refuseCall, resultIn, spend, stringField, SUSPENDING } from "./capability-calls.js";
import { ScriptError } from "./errors.js";
import type { CellState, SessionCore } from "./session-core.js";
import { fromHost } from "./boundary.js";
import { describeType, isRecord, NativeFunction, type Value } from "./values.js";

interface Draft {
  readonly id: string;
  readonly name: string;
  readonly source: string;
  readonly file: string;
  readonly provenance: Provenance;
}

interface Compiled {
  readonly id: string;
  readonly blueprint: Blueprint;
  readonly needsReview: boolean;
}

interface Store {
  readonly drafts: Map<string, Draft>;
  readonly compiled: Map<string, Compiled>;
}

const stores = new WeakMap<SessionCore, Store>();
function store(s: SessionCore): Store {
  let st = stores.get(s);
  if (!st) stores.set(s, (st = { drafts: new Map(), compiled: new Map() }));
  return st;
}

/** The compiled blueprint of this session with `hash`, if any (for approvals at the prompt). */
export function compiledByHash(s: SessionCore, hash: string): Blueprint | undefined {
  for (const c of store(s).compiled.values()) if (c.blueprint.hash === hash) return c.blueprint;
  return undefined;
}

/** The session's registry view, with the graphs it registered. */
export function sessionView(s: SessionCore): RegistryView {
  const v = s.registry.view();
  return { ...v, graphs: new Set([...(v.graphs ?? []), ...s.extraGraphs.keys(), ...s.graphs.keys()]) };
}

/** Compiler diagnostics as plain records for a script. */
function diagnosticRecords(ds: readonly Diagnostic[]): unknown[] {
  return ds.map((d) => ({
    code: d.code,
    severity: d.severity,
    message: d.message,
    line: d.span.start.line,
    column: d.span.start.column,
    end_line: d.span.end.line,
    end_column: d.span.end.column,
    ...(d.label ? { label: d.label } : {}),
    ...(d.help ? { help: d.help } : {}),
    fixes: d.fixes.map((f) => ({ line: f.span.start.line, column: f.span.start.column, replacement: f.replacement, description: f.description })),
  }));
}

function handleId(v: Value, kind: "draft" | "compiled", capability: string): string {
  if (isRecord(v) && v.kind === kind && typeof v.id === "string") return v.id;
  throw new ScriptError("E-ragsh-invalid-arguments", `\`${capability}\` needs a ${kind} (the value \`${kind === "draft" ? "graph_define" : "graph_compile"}\` returned), not ${describeType(v)}`, undefined, { capability });
}

/** Diagnostics a `graph_validate` result lists at most (the counts are of all of them). */
const MAX_DIAGNOSTICS = 200;
/** Native work charged per character of source a compiler pass reads (see `MethodRuntime.work`). */
const COMPILE_WORK_PER_CHAR = 64;

/**
 * Charges a compiler pass over `source` to the cell before it runs: operations for the
 * work (the clock is checked too, so a loop of validations stops at the deadline), and
 * memory for the source the pass holds.
 */
function compileCost(s: SessionCore, source: string): void {
  s.runtime.work(source.length * COMPILE_WORK_PER_CHAR);
  s.runtime.alloc(source.length * 2);
}

export function graphFunctions(s: SessionCore, cell: CellState): Map<string, Value> {
  const fns = new Map<string, Value>();
  const def = (name: string, impl: (args: Value[]) => Value | Promise<Value>) => fns.set(name, new NativeFunction(name, impl, undefined, undefined, SUSPENDING.has(name)));
  const st = store(s);
  const draftOf = (v: Value, capability: string): Draft => {
    const d = st.drafts.get(handleId(v, "draft", capability));
    if (!d) throw new ScriptError("E-ragsh-invalid-arguments", `\`${capability}\`: no such draft in this session`, undefined, { capability });
    return d;
  };
  const compiledOf = (v: Value, capability: string): Compiled => {
    const c = st.compiled.get(handleId(v, "compiled", capability));
    if (!c) throw new ScriptError("E-ragsh-invalid-arguments", `\`${capability}\`: no such compiled graph in this session`, undefined, { capability });
    return c;
  };
  const compiledHandle = (c: Compiled): Value =>
    fromHost({ kind: "compiled", id: c.id, name: c.blueprint.id, hash: c.blueprint.hash, needs_review: c.needsReview, nodes: c.blueprint.nodes.map((n) => n.name) }, "graph_compile");

  const DEFINE_SHAPE = '{name: "my_graph", source: "graph my_graph { … }"}';
  def("graph_define", ([arg]) => {
    const r = recordArg(arg, "graph_define", DEFINE_SHAPE);
    const name = stringField(r, "name", "graph_define", DEFINE_SHAPE)!;
    const source = stringField(r, "source", "graph_define", DEFINE_SHAPE)!;
    spend(s, "definition", 1, "graph_define");
    compileCost(s, source);
    const id = `draft-${st.drafts.size + 1}`;
    const provenance: Provenance = { generatedBy: s.author === "model" ? "model" : "repl", author: `${s.id}/${cell.cellId}`, createdAt: new Date().toISOString(), note: "defined in a .ragsh session" };
    const draft: Draft = { id, name, source, file: `<draft ${name}>`, provenance };
    st.drafts.set(id, draft);
    const parsed = compile(source, { file: draft.file });
    const graphs = parsed.value.program.items.filter((i) => i.kind === "GraphDecl").map((g) => (g as { name: { name: string } }).name.name);
    s.emit({ type: "graph_blueprint_defined", draft: id, name, provenance }, "graph_define");
    return fromHost({ kind: "draft", id, name, graphs, provenance, syntax_errors: parsed.diagnostics.filter((d) => d.severity === "error" && /unexpected-token|invalid-token|unterminated/.test(d.code)).length }, "graph_define");
  });

  def("graph_validate", ([arg]) => {
    const d = draftOf(arg, "graph_validate");
    compileCost(s, d.source);
    const r = compile(d.source, { file: d.file, registry: sessionView(s), provenance: d.provenance, approvals: s.registry.approvals });
    const ds = [...r.diagnostics];
    if (!r.value.program.items.some((i) => i.kind === "GraphDecl" && (i as { name: { name: string } }).name.name === d.name)) {
      ds.push({ severity: "error", code: "E-rag-unknown-graph", message: `graph \`${d.name}\` is not declared in the draft`, span: r.value.program.span, labels: [], fixes: [], file: d.file });
    }
    const errors = ds.filter((x) => x.severity === "error").length;
    const warnings = ds.filter((x) => x.severity === "warning").length;
    s.emit({ type: "graph_blueprint_validated", draft: d.id, name: d.name, ok: errors === 0, errors, warnings }, "graph_validate");
    return resultIn(s, { ok: errors === 0, errors, warnings, diagnostics: diagnosticRecords(ds.slice(0, MAX_DIAGNOSTICS)), rendered: renderDiagnostics(ds.slice(0, MAX_DIAGNOSTICS), { lines: new LineIndex(d.source), file: d.file }, PLAIN_STYLE) }, "graph_validate");
  });

  def("graph_compile", ([arg]) => {
    const d = draftOf(arg, "graph_compile");
    compileCost(s, d.source);
    const r = compileGraph(d.source, { file: d.file, registry: sessionView(s), provenance: d.provenance, approvals: s.registry.approvals, graph: d.name });
    if (!r.value) {
      const errors = r.diagnostics.filter((x) => x.severity === "error");
      const first = errors.slice(0, 3).map((x) => `${x.code} at ${x.span.start.line}:${x.span.start.column}`).join(", ");
      throw new ScriptError("E-ragsh-graph-invalid", `draft \`${d.name}\` does not compile: ${errors.length} error${errors.length === 1 ? "" : "s"} (${first})`, undefined, { help: "call `graph_validate(draft)` for every diagnostic with its span and fix", capability: "graph_compile" });
    }
    // Review: the registry's policy (`policy.requireReview`, untrusted generators), or the
    // session policy's `reviewGeneratedGraphs` for what a model wrote — the draft's author,
    // whoever compiles it: a model script's draft compiled after a person's `:reset` gave
    // the session back was registered unreviewed.
    const needsReview = reviewStatus(s.registry, r.value).required || (s.policy.reviewGeneratedGraphs && (s.author === "model" || d.provenance.generatedBy === "model"));
    // One handle per blueprint hash: compiling the same draft again does not grow the store.
    const known = [...st.compiled.values()].find((x) => x.blueprint.hash === r.value!.hash && x.needsReview === needsReview);
    const c: Compiled = known ?? { id: `graph-${st.compiled.size + 1}`, blueprint: r.value, needsReview };
    st.compiled.set(c.id, c);
    s.emit({ type: "graph_blueprint_compiled", name: r.value.id, hash: r.value.hash, needsReview: c.needsReview }, "graph_compile");
    return compiledHandle(c);
  });

  const REGISTER_SHAPE = '{name: "my_graph", graph: compiled, review?: "token"}';
  def("graph_register", ([arg]) => {
    const r = recordArg(arg, "graph_register", REGISTER_SHAPE);
    const c = compiledOf(r.graph, "graph_register");
    const name = stringField(r, "name", "graph_register", REGISTER_SHAPE, true) ?? c.blueprint.id;
    // A review token for this hash (from `:approve`), or the hash approved in the registry's store (`rag approve`).
    const reviewed = (typeof r.review === "string" && s.approvals.check(r.review, c.blueprint.hash) !== undefined) || s.registry.approvals.isApproved(c.blueprint.hash);
    if (c.needsReview && !reviewed) {
      throw new ScriptError("E-ragsh-review-required", `graph \`${name}\` was generated by a model and needs a review before it can be registered`, undefined, {
        help: `a reviewer approves hash \`${c.blueprint.hash}\` (at the prompt: \`:approve ${c.blueprint.hash}\`) and passes you the token: \`graph_register({name, graph, review: token})\``,
        capability: "graph_register",
      });
    }
    if (s.registry.graphs.has(name) || s.extraGraphs.has(name)) {
      throw new ScriptError("E-ragsh-invalid-arguments", `graph \`${name}\` is already registered outside this session and cannot be replaced`, undefined, { help: "register it under another name", capability: "graph_register" });
    }
    s.graphs.set(name, c.blueprint);
    s.emit({ type: "graph_blueprint_registered", name, hash: c.blueprint.hash, reviewed }, "graph_register");
    return fromHost({ name, hash: c.blueprint.hash, reviewed }, "graph_register");
  });

  // A draft, a compiled handle or a registered graph's name on either side.
  def("graph_diff", ([a, b]) => {
    const resolve = (v: Value): Blueprint => {
      if (typeof v === "string") {
        const bp = s.graph(v);
        if (!bp) throw new ScriptError("E-ragsh-unknown-graph", `graph \`${v}\` is not registered`, undefined, { capability: "graph_diff" });
        return bp;
      }
      if (isRecord(v) && v.kind === "draft") {
        const d = draftOf(v, "graph_diff");
        compileCost(s, d.source);
        const r = compileGraph(d.source, { file: d.file, registry: sessionView(s), graph: d.name });
        if (!r.value) throw new ScriptError("E-ragsh-graph-invalid", `draft \`${d.name}\` does not compile, so it cannot be diffed`, undefined, { capability: "graph_diff" });
        return r.value;
      }
      return compiledOf(v, "graph_diff").blueprint;
    };
    return diffValue(resolve(a), resolve(b));
  });

  const RUN_SHAPE = '{graph: "name", input: {…}, thread?: "id"}';
  const graphRun = async (arg: Value, index?: number): Promise<Value> => {
    const r = recordArg(arg, "graph_run", RUN_SHAPE);
    if (isRecord(r.graph) && r.graph.kind === "compiled") throw new ScriptError("E-ragsh-invalid-arguments", "`graph_run` runs registered graphs only; call `graph_register({name, graph})` first", undefined, { capability: "graph_run" });
    const name = stringField(r, "graph", "graph_run", RUN_SHAPE)!;
    const thread = stringField(r, "thread", "graph_run", RUN_SHAPE, true);
    const input = argsOut(s, r.input ?? {}, "the graph input");
    if (typeof input !== "object" || input === null || Array.isArray(input)) throw new ScriptError("E-ragsh-invalid-arguments", "the graph `input` must be an object", undefined, { capability: "graph_run" });
    const bp = s.graph(name);
    if (!bp) return Promise.reject(new ScriptError("E-ragsh-unknown-graph", `graph \`${name}\` is not registered`, undefined, { capability: "graph_run", help: `graphs: ${[...s.capabilityNames().graphs].join(", ") || "none"}` }));
    if (s.depth + 1 > s.policy.maxDepth) {
      throw new ScriptError("E-ragsh-depth-limit", `running graph \`${name}\` would nest runs ${s.depth + 1} levels deep; the session's limit is ${s.policy.maxDepth}`, undefined, { capability: "graph_run", help: "a script that runs a graph whose node runs a script … is bounded by the `maxDepth` policy" });
    }
    // A registered graph is a capability of its own; a session's graphs are checked against the session's limits when they bind.
    if (s.registry.graphs.get(name) === bp) authorizeCall(s, cell, "graph_run", "graphs", name);
    // Continuing a thread reads its state: only threads this session made, unless granted all.
    let claimed = false;
    if (thread !== undefined && !s.threads.has(thread)) {
      if (s.policy.threadAccess !== "all" && (await getState(s.checkpointer, thread))) refuseCall(s, cell, "graph_run", thread, foreignThread(thread, "graph_run"));
      s.threads.add(thread);
      claimed = true;
    }
    if (index === undefined) spend(s, "graph", 1, "graph_run");
    const graphs = new Map([...s.extraGraphs, ...s.graphs]);
    return invoke(s, cell, "graph_run", name, async (signal) => {
      let out;
      try {
        out = await s.host.runGraph({ name, blueprint: bp, graphs, input: input as Record<string, unknown>, ...(thread ? { thread } : {}) }, s.hostIds(), signal);
      } catch (e) {
        // A run that failed before its first checkpoint made no thread: the id is not
        // this session's, so a later session that creates it keeps it to itself.
        if (claimed && thread !== undefined && !(await getState(s.checkpointer, thread).catch(() => undefined))) s.threads.delete(thread);
        throw e;
      }
      s.threads.add(out.threadId);
      return {
        value: resultIn(
          s,
          { status: out.status, output: out.output, state: out.state, run_id: out.runId, thread: out.threadId, steps: out.steps, history: out.history, interrupts: out.interrupts.map((i) => ({ id: i.id, node: i.node, kind: i.kind, payload: i.payload ?? null })) },
          `graph \`${name}\``,
        ),
      };
    }, index);
  };
  def("graph_run", ([a]) => graphRun(a));
  // The checkpoints of a thread this session ran, newest first (`runtime.md` §3 getStateHistory).
  def("graph_history", async ([arg]) => {
    const thread = typeof arg === "string" ? arg : isRecord(arg) ? stringField(arg, "thread", "graph_history", '{thread: "id"}') : undefined;
    if (!thread) throw new ScriptError("E-ragsh-invalid-arguments", "`graph_history` takes a thread id", undefined, { help: 'call it as `graph_history({thread: "id"})`', capability: "graph_history" });
    if (s.policy.threadAccess !== "all" && !s.threads.has(thread)) refuseCall(s, cell, "graph_history", thread, foreignThread(thread, "graph_history"));
    const snaps = await getStateHistory(s.checkpointer, thread);
    return resultIn(
      s,
      snaps.map((c) => ({ checkpoint: c.checkpointId, step: c.step, source: c.source, graph: c.graph, status: c.status, values: c.values, next: c.next.map((t) => t.node), interrupts: c.interrupts.map((i) => i.id) })),
      "graph_history",
    );
  });
  def("graph_run_batched", ([items, opts]) => {
    if (Array.isArray(items)) spend(s, "graph", items.length, "graph_run_batched");
    return batch(s, cell, "graph_run_batched", items, isRecord(opts) ? opts.concurrency : undefined, (item, i) => graphRun(item, i));
  });
  return fns;
}

/** A thread the session did not create, under `threadAccess: "session"` (the default). */
function foreignThread(thread: string, capability: string): ScriptError {
  return new ScriptError("E-ragsh-capability-denied", `thread \`${thread}\` was not created by this session's runs, so its state is not readable here`, undefined, {
    capability,
    help: 'run the graph without `thread` (or with a new id) to start a thread of your own; a person who owns the checkpoint store can grant every thread with `repl: { threadAccess: "all" }` in rag.config.ts',
  });
}

/**
 * The semantic diff of two blueprints (the compiler's `diffBlueprints`, as `rag diff`):
 * `{identical, from, to, changes: [{area, op, subject, before?, after?, fields?}], text}`
 * where `text` is the diff for people.
 */
function diffValue(a: Blueprint, b: Blueprint): Value {
  const d = diffBlueprints(a, b);
  return fromHost({ ...d, text: renderDiff(d) }, "graph_diff");
}
