/**
 * Which state fields a node writes, and which fields keep one value per superstep
 * (`overwrite`, the default reducer of every type but `messages`, `language.md` §2.2).
 * Used by the concurrent-overwrite analysis.
 */
import type * as A from "../../grammar/rag/ast.js";
import type { Span } from "../../grammar/span.js";
import type { RegistryView } from "../registry-view.js";
import { canonicalReducer } from "../resolve/reducers.js";
import type { ItemTable, ResolvedGraph, ResolvedProgram } from "../resolve/resolve.js";
import { resolveSendTarget } from "./send-targets.js";

/**
 * Kinds whose writes are all in their items (a conversation's appends go to `messages`
 * fields). Not tool nodes, tool executors or CodeAct nodes, whose tools may return a
 * Command updating any field, nor subgraphs, subagents and custom kinds.
 */
const VISIBLE_WRITER_KINDS: ReadonlySet<string> = new Set(["model", "agent", "router", "set", "interrupt", "join"]);

/**
 * True when some node of `g` may write state the file does not spell out: a kind outside
 * `VISIBLE_WRITER_KINDS`, a node with `tools` (a tool's Command), a registered `agent`
 * without `writes` (its channel), or a send to a registered agent or graph. The analyses
 * that judge what a field can hold (the never-written and counter warnings) stay quiet then.
 */
export function hasHiddenWriters(g: ResolvedGraph, program: ResolvedProgram): boolean {
  for (const n of g.nodeList) {
    if (!VISIBLE_WRITER_KINDS.has(n.kind)) return true;
    if (n.items.get("tools")?.value.items.length) return true;
    if (n.items.get("agent") && !n.items.get("writes")) return true;
    for (const s of n.sends) {
      for (const t of s.targets) {
        const r = resolveSendTarget(t.target.name, g, program, undefined);
        if (r.kind !== "node" && !(r.kind === "agent" && r.inline)) return true;
      }
    }
  }
  return false;
}

/** Names of the graph's `input { … }` fields (a run's input fills the state fields of the same names). */
export function inputFields(g: ResolvedGraph): Set<string> {
  const out = new Set<string>();
  for (const io of g.io) if (io.direction === "input") for (const f of io.fields) out.add(f.name.name);
  return out;
}

export interface WriteSite {
  readonly field: string;
  readonly span: Span;
}

/** Fields of `g` whose reducer is `overwrite` (written or by default). */
export function overwriteFields(g: ResolvedGraph): Set<string> {
  const out = new Set<string>();
  for (const [name, f] of g.fields) {
    const src = f.source;
    const reducer = src.reducer;
    if (reducer) {
      if (canonicalReducer(reducer.name.name) === "overwrite") out.add(name);
    } else if (src.kind === "Field" && !(src.type.kind === "NamedType" && src.type.name.name === "messages")) out.add(name);
  }
  return out;
}

/** Fields written by items of a node or inline agent: `writes`, `set`, `command update`. */
export function itemWrites(items: ItemTable): WriteSite[] {
  const out: WriteSite[] = [];
  forEachItemWrite(items, (field, span) => void (field && out.push({ field, span })));
  return out;
}

/**
 * Calls `f` with each field `items` write (`itemWrites`, in its order), without building a
 * list, and the value written (undefined for `writes channel`: the node's whole result).
 */
export function forEachItemWrite(items: ItemTable, f: (field: string, span: Span, value: A.Expr | A.Value | undefined) => void): void {
  const w = items.get("writes");
  if (w) {
    if (w.value.kind === "Identifier") f(w.value.name, w.value.span, undefined);
    else for (const e of w.value.entries) f(e.key.name, e.key.span, e.value);
  }
  for (const e of items.get("set")?.value.entries ?? []) f(e.key.name, e.key.span, e.value);
  const command = items.get("command");
  if (!command?.parent) for (const e of command?.update?.entries ?? []) f(e.key.name, e.key.span, e.value);
}

/**
 * Fields written by whatever a send target names: a node of the graph, an inline agent
 * (its `writes`), or a registered agent (its declared channel, via the registry view).
 */
export function targetWrites(name: string, g: ResolvedGraph, program: ResolvedProgram, registry: RegistryView | undefined, at: Span): WriteSite[] {
  const t = resolveSendTarget(name, g, program, registry);
  if (t.kind === "node") {
    const own = itemWrites(t.node.items);
    const agent = t.node.items.get("agent")?.value.value;
    return own.length || !agent ? own : agentChannel(agent, program, registry, at);
  }
  return agentChannel(name, program, registry, at);
}

function agentChannel(name: string, program: ResolvedProgram, registry: RegistryView | undefined, at: Span): WriteSite[] {
  const inline = program.agents.get(name);
  if (inline) return itemWrites(inline.items).map((s) => ({ field: s.field, span: at }));
  const ch = registry?.agentWrites?.(name);
  return ch ? [{ field: ch, span: at }] : [];
}

/** The value of a numeric literal (`3`, `-1`), else undefined. */
export function numberOf(e: A.Expr | A.Value): number | undefined {
  if (e.kind === "Number") return e.value;
  if (e.kind === "Unary" && (e as A.UnaryExpr).op === "-" && (e as A.UnaryExpr).operand.kind === "Number") return -((e as A.UnaryExpr).operand as A.NumberLiteral).value;
  return undefined;
}

/**
 * The values each field can be written with: a number list, or "any" when a write is not a
 * numeric literal (a node's whole result, a send, an agent's channel, an expression).
 * Fields nothing spelled out in the file writes are absent (see `hasHiddenWriters`).
 */
export function writtenValues(g: ResolvedGraph, program: ResolvedProgram, registry: RegistryView | undefined): Map<string, number[] | "any"> {
  const out = new Map<string, number[] | "any">();
  const add = (field: string, v: number | undefined) => {
    const cur = out.get(field);
    if (v === undefined || cur === "any") return void out.set(field, "any");
    if (cur) cur.push(v);
    else out.set(field, [v]);
  };
  // A `command { goto parent.X update {…} }` writes the parent's fields, not this graph's.
  const items = (t: ItemTable) => forEachItemWrite(t, (field, _span, value) => add(field, value === undefined ? undefined : numberOf(value)));
  for (const n of g.nodeList) {
    items(n.items);
    for (const s of n.sends) for (const t of s.targets) if (t.into) add(t.into.name, undefined);
    const agent = n.items.get("agent")?.value.value;
    const ch = agent ? registry?.agentWrites?.(agent) : undefined;
    if (ch) add(ch, undefined);
  }
  for (const a of program.agentList) items(a.items);
  return out;
}
