/**
 * Whether a choice made inside a loop can open its way out (simulate.ts `classifyLoop`).
 * A run that hit the recursion limit while a model kept repeating its answer is a loop
 * "only the model's choice exits" only if some choice can change how the loop is left:
 * a `when` exit that reads a node's `result` or a state field a result flows into, a
 * labelled route, an `on_error` way out. A loop whose exits read only fields that nothing
 * choice-made reaches (`when state.n >= 3` with `n` never written, or written by
 * constants) is the graph's to end, whatever the model answers.
 *
 * Reads the root blueprint only, and answers "may depend" wherever the file does not
 * spell out what a node writes (tool nodes and executors, nodes with `tools` — a tool's
 * Command may update any field —, subgraphs, subagents, CodeAct, an agent without
 * `writes`), or how the loop is left (a static, `goto` or `join` edge out of it).
 */
import { exprChildren, type Blueprint, type EdgeSpec, type ExprEntrySpec, type ExprSpec, type NodeSpec } from "../compiler/index.js";

/** Kinds whose writes are all in their items (`writes`, `set`, `command update`, sends' `-> field`). */
const VISIBLE: ReadonlySet<string> = new Set(["model", "router", "set", "interrupt", "join", "agent"]);

/**
 * True when some choice could change whether a run leaves the loop through `loop` (root
 * node names): see the module comment. False only when every way out is a `when`/`else`
 * whose conditions read nothing a choice reaches.
 */
export function exitDependsOnChoice(bp: Blueprint, loop: readonly string[]): boolean {
  const members = new Set(loop);
  const { nodes, tainted } = analysed(bp);
  if (tainted === undefined) return true;
  for (const name of members) {
    const n = nodes.get(name);
    if (!n) return true;
    if (n.onError && !members.has(n.onError)) return true;
    if (n.join && !members.has(n.join.target)) return true;
    if (n.command?.goto !== undefined) return true;
  }
  if (bp.barriers.some((b) => b.sources.some((s) => members.has(s)) && !members.has(b.target))) return true;
  const out = (e: EdgeSpec) => members.has(e.from) && !members.has(e.to);
  for (const e of bp.edges) {
    if (!out(e)) continue;
    if (e.kind === "when" ? reads(e.when, tainted) : e.kind !== "else") return true;
    // `else` leaves when every `when` of the same node is false: it depends on what they read.
    if (e.kind === "else" && bp.edges.some((w) => w.from === e.from && w.kind === "when" && reads(w.when, tainted))) return true;
  }
  return false;
}

/** Per blueprint, once (simulate asks for every run that hit the recursion limit): its nodes by name and `choiceFields`. */
const ANALYSED = new WeakMap<Blueprint, { readonly nodes: ReadonlyMap<string, NodeSpec>; readonly tainted: ReadonlySet<string> | undefined }>();
function analysed(bp: Blueprint): { readonly nodes: ReadonlyMap<string, NodeSpec>; readonly tainted: ReadonlySet<string> | undefined } {
  let a = ANALYSED.get(bp);
  if (!a) ANALYSED.set(bp, (a = { nodes: new Map(bp.nodes.map((n) => [n.name, n] as const)), tainted: choiceFields(bp) }));
  return a;
}

/**
 * The state fields a choice's value can reach: written from a node's `result`, whole
 * (`writes channel`), by a send, as a conversation (`messages`), or from such a field;
 * `undefined` when some node's writes are not spelled out.
 */
function choiceFields(bp: Blueprint): Set<string> | undefined {
  const tainted = new Set<string>();
  for (const f of bp.state) if (f.reducer.name === "messages" || (f.type as { type?: string }).type === "messages") tainted.add(f.name);
  for (const n of bp.nodes) {
    if (!VISIBLE.has(n.kind) || n.tools?.length || (n.kind === "agent" && !n.writes)) return undefined;
    if (n.writes?.kind === "channel") tainted.add(n.writes.channel);
    for (const s of n.sends ?? []) if (s.into) tainted.add(s.into);
  }
  for (const a of bp.agents) if (a.writes?.kind === "channel") tainted.add(a.writes.channel);
  // Spread along the entries that read a tainted field, one visit per field (a pass over
  // every entry until nothing grew was quadratic: 12,000 chained fields took 4 s).
  const readers = new Map<string, string[]>();
  const wholeState: string[] = [];
  const queue = [...tainted];
  const taint = (key: string) => {
    if (tainted.has(key)) return;
    tainted.add(key);
    queue.push(key);
  };
  for (const n of bp.nodes) {
    for (const e of entries(n)) {
      const r = readsOf(e.value);
      if (r.choice) taint(e.key);
      if (r.state) wholeState.push(e.key);
      for (const f of r.fields) {
        const list = readers.get(f);
        if (list) list.push(e.key);
        else readers.set(f, [e.key]);
      }
    }
  }
  // An entry that reads the whole state reads every tainted field, once there is one.
  if (queue.length) for (const key of wholeState) taint(key);
  for (let i = 0; i < queue.length; i++) for (const key of readers.get(queue[i]!) ?? []) taint(key);
  return tainted;
}

/**
 * What an expression reads: a choice (a node's `result`; a send packet's `args`, built
 * from any node's result; the run's `run`, whose step changes every superstep), the whole
 * `state`, `state.F` by name.
 */
interface Reads {
  choice: boolean;
  state: boolean;
  readonly fields: Set<string>;
}

function readsOf(e: ExprSpec, r: Reads = { choice: false, state: false, fields: new Set() }): Reads {
  if (e.op === "var") {
    if (e.name === "result" || e.name === "args" || e.name === "run") r.choice = true;
    else if (e.name === "state") r.state = true;
  } else if (e.op === "get" && e.object.op === "var" && e.object.name === "state") r.fields.add(e.key);
  else for (const c of exprChildren(e)) readsOf(c, r);
  return r;
}

function entries(n: NodeSpec): readonly ExprEntrySpec[] {
  return [...(n.writes?.kind === "map" ? n.writes.fields : []), ...(n.set ?? []), ...(n.command?.update ?? [])];
}

/** True when `e` reads a choice, a tainted `state.F`, or the whole state while some field is tainted (`readsOf`). */
function reads(e: ExprSpec, tainted: ReadonlySet<string>): boolean {
  const r = readsOf(e);
  if (r.choice || (r.state && tainted.size > 0)) return true;
  for (const f of r.fields) if (tainted.has(f)) return true;
  return false;
}
