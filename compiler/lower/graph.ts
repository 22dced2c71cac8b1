/**
 * A resolved graph → `Blueprint` (`language.md` §7). Edges are listed in source order;
 * `start X` and `START -> X` both become entries of `start`.
 */
import type * as A from "../../grammar/rag/ast.js";
import type { Span } from "../../grammar/span.js";
import type { AgentSpec, BarrierSpec, Blueprint, EdgeSpec, FieldSpec, NodeSpec, Provenance, TypeSpec } from "../blueprint.js";
import { IR_VERSION } from "../blueprint.js";
import { blueprintHash } from "../canonical.js";
import { blueprintCapabilities } from "../grants.js";
import type { ResolvedGraph } from "../resolve/resolve.js";
import { isFirstDeclaration } from "../resolve/resolve.js";
import type { LowerEnv } from "./env.js";
import { lowerExpr } from "./expr.js";
import { lowerAgentItems, lowerNode } from "./node.js";
import { lowerChannel, lowerField, lowerType } from "./types.js";
import { blockToJson, defineOwn, listStrings } from "./values.js";

export interface GraphLowerOptions {
  readonly provenance?: Provenance;
  readonly file?: string;
  /** Hashes of same-file graphs already lowered (for `subgraphs`), by graph name. */
  readonly graphHashes: Pick<ReadonlyMap<string, string>, "has" | "get">;
}

export function lowerGraph(g: ResolvedGraph, env: LowerEnv, opts: GraphLowerOptions): Blueprint {
  const nodes: NodeSpec[] = [];
  // Loops over every node are indexed: lowerGraph runs once per graph, often before it is
  // optimized, where a for-of made an iterator result object per node.
  const list = g.nodeList;
  for (let i = 0; i < list.length; i++) if (isFirstDeclaration(g, list[i]!)) nodes.push(lowerNode(list[i]!, g, env));

  const state: FieldSpec[] = [];
  for (const f of g.fieldList) {
    if (g.fields.get(f.name.name) !== f) continue;
    state.push(f.source.kind === "ChannelItem" ? lowerChannel(f.source) : lowerField(f.source, env.schemasUsed));
  }

  const { edges, start } = lowerEdges(g);
  // `start routes { when … -> a  else -> b }`: evaluated once against the input state (LangGraph's conditional entry).
  // (Loops rather than map/filter callbacks here and below: this runs once per graph, and
  // under tsx, the benchmark's runner, every closure made per call is also named.)
  const startRoutes: EdgeSpec[] = [];
  for (const s of g.starts) for (const r of s.routes?.routes ?? []) if (r.kind !== "LabelRoute" && r.target.name) startRoutes.push(lowerRoute("START", r));
  const barriers: BarrierSpec[] = [];
  for (const j of g.joinEdges) barriers.push({ sources: j.sources.map(refName), target: j.target.name, origin: "edge", span: j.span });
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.kind === "join" && n.sources?.length) barriers.push({ sources: n.sources, target: n.name, origin: "node", span: n.span });
  }
  barriers.sort(bySpanStart);

  const input = lowerIo(g, "input", env);
  const output = lowerIo(g, "output", env);

  const agents: AgentSpec[] = [];
  for (const name of env.agentsUsed.size ? [...env.agentsUsed].sort() : []) {
    const a = env.program.agents.get(name);
    if (a) agents.push({ name, ...lowerAgentItems(a.items, env), span: a.decl.span });
  }

  const schemas: { [name: string]: TypeSpec } = {};
  const pending = [...env.schemasUsed];
  while (pending.length) {
    const name = pending.shift()!;
    const decl = env.program.schemas.get(name);
    if (!decl || schemas[name]) continue;
    const before = new Set(env.schemasUsed);
    defineOwn(schemas, name, { type: "record", fields: decl.fields.map((f) => lowerField(f, env.schemasUsed)) });
    for (const s of env.schemasUsed) if (!before.has(s)) pending.push(s);
  }

  const subgraphs: { [name: string]: string } = {};
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.graph && opts.graphHashes.has(n.graph)) defineOwn(subgraphs, n.graph, opts.graphHashes.get(n.graph)!);
    for (const x of n.graphs ?? []) if (opts.graphHashes.has(x)) defineOwn(subgraphs, x, opts.graphHashes.get(x)!);
    for (const s of n.sends ?? []) if (s.targetKind === "graph" && opts.graphHashes.has(s.target)) defineOwn(subgraphs, s.target, opts.graphHashes.get(s.target)!);
  }

  const defaults: Record<string, ReturnType<typeof blockToJson>[string]> = {};
  const metadata: Record<string, ReturnType<typeof blockToJson>[string]> = {};
  for (const c of g.configs) {
    if (c.config === "budget") continue;
    for (const [k, v] of Object.entries(blockToJson(c.value))) defineOwn(c.config === "defaults" ? defaults : metadata, k, v);
  }
  // `budget { … }` is the spelling of `defaults { budget { … } }` (its keys win over the defaults' on a clash).
  for (const c of g.configs) {
    if (c.config !== "budget") continue;
    const prior = defaults.budget && typeof defaults.budget === "object" && !Array.isArray(defaults.budget) ? defaults.budget : {};
    const merged: Record<string, ReturnType<typeof blockToJson>[string]> = {};
    for (const [k, v] of [...Object.entries(prior), ...Object.entries(blockToJson(c.value))]) defineOwn(merged, k, v);
    defineOwn(defaults, "budget", merged);
  }

  const allow: Record<string, string[]> = {};
  for (const a of g.allows) allow[a.capability.name] = [...(allow[a.capability.name] ?? []), ...listStrings(a.value)];

  let interruptPolicy: string | undefined;
  let checkpoint: string | undefined;
  for (const p of g.policies) {
    // the first of each (as `find`)
    if (p.policy === "interrupt" && interruptPolicy === undefined) interruptPolicy = p.value.name ?? "";
    else if (p.policy === "checkpoint" && checkpoint === undefined) checkpoint = p.value.name ?? "";
  }
  const interrupts: { -readonly [K in keyof Blueprint["interrupts"]]: Blueprint["interrupts"][K] } = { before: [], after: [] };
  for (const i of g.interrupts) {
    const list = i.when === "before" ? interrupts.before : i.when === "after" ? interrupts.after : undefined;
    if (list) for (const n of i.nodes) (list as string[]).push(n.name);
  }
  if (interruptPolicy) interrupts.policy = interruptPolicy;
  // Built in the IR's key order with conditional assignments, not `...(x ? {k} : {})`
  // spreads and a rest copy to move `hash` up (V8 pays per key added after a spread).
  // `hash` holds its place until the hash, which leaves it out, is computed.
  const tags: string[] = [];
  for (const t of g.tags) for (const x of listStrings(t.value)) tags.push(x);
  const capabilities = blueprintCapabilities(nodes, agents, state, programNames(env.program));
  const sortedSubgraphs = hasKeys(subgraphs) ? sortKeys(subgraphs) : subgraphs;
  let bp: { -readonly [K in keyof Blueprint]: Blueprint[K] };
  if (!startRoutes.length && !input && !output && !hasKeys(schemas) && !checkpoint) {
    // Most graphs: every key up to `subgraphs` in one literal, in the same order as below
    // (adding sixteen keys one by one regrew the object's property store several times:
    // a file of 20,000 small graphs spent a good part of its lowering there).
    bp = { irVersion: IR_VERSION, id: g.name, hash: "", start, state, nodes, edges, barriers, interrupts, defaults, metadata, tags, allow, capabilities, agents, subgraphs: sortedSubgraphs } as unknown as typeof bp;
  } else {
    bp = { irVersion: IR_VERSION, id: g.name, hash: "", start } as unknown as typeof bp;
    if (startRoutes.length) bp.startRoutes = startRoutes;
    bp.state = state;
    if (input) bp.input = input;
    if (output) bp.output = output;
    if (hasKeys(schemas)) bp.schemas = sortKeys(schemas);
    bp.nodes = nodes;
    bp.edges = edges;
    bp.barriers = barriers;
    bp.interrupts = interrupts;
    if (checkpoint) bp.checkpoint = checkpoint;
    bp.defaults = defaults;
    bp.metadata = metadata;
    bp.tags = tags;
    bp.allow = allow;
    bp.capabilities = capabilities;
    bp.agents = agents;
    bp.subgraphs = sortedSubgraphs;
  }
  if (opts.provenance) bp.provenance = opts.provenance;
  if (opts.file !== undefined) bp.source = { file: opts.file };
  bp.span = g.decl.span;
  bp.hash = blueprintHash(bp);
  return bp;
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

/**
 * The program's agent and graph names, built once per program: building them per graph
 * made a file of 20,000 one-node graphs quadratic (issue 14 §3).
 */
const namesByProgram = new WeakMap<LowerEnv["program"], { agents: ReadonlySet<string>; graphs: ReadonlySet<string> }>();
function programNames(program: LowerEnv["program"]): { agents: ReadonlySet<string>; graphs: ReadonlySet<string> } {
  let names = namesByProgram.get(program);
  if (!names) namesByProgram.set(program, (names = { agents: new Set(program.agents.keys()), graphs: new Set(program.graphByName.keys()) }));
  return names;
}

function lowerEdges(g: ResolvedGraph): { edges: EdgeSpec[]; start: string[] } {
  const edges: EdgeSpec[] = [];
  // The start offset of each edge's span, parallel to `edges`: read once per edge, so
  // that ordering the edges needs no second look at the span (in a large file each is a
  // cache miss, and a comparison sort made several per edge).
  const at: number[] = [];
  const start: string[] = [];
  for (const s of g.starts) if (s.target?.name) start.push(s.target.name);
  const list = g.nodeList;
  for (let i = 0; i < list.length; i++) {
    const n = list[i]!;
    if (!isFirstDeclaration(g, n)) continue;
    const next = n.items.get("next");
    if (next) for (const t of next.targets) if (t.name) push(edges, at, { kind: "static", from: n.name, to: t.name, origin: "next", span: t.span });
    const routes = n.items.get("routes");
    if (routes) for (const r of routes.routes) push(edges, at, lowerRoute(n.name, r));
    const command = n.items.get("command");
    const goto = command?.parent ? undefined : command?.goto; // `goto parent.X` is no edge of this graph
    if (goto?.name) push(edges, at, { kind: "goto", from: n.name, to: goto.name, span: goto.span });
  }
  for (const e of g.edges) {
    for (let i = 0; i + 1 < e.refs.length; i++) {
      const from = e.refs[i];
      const to = e.refs[i + 1];
      if (!from.name || !to.name) continue;
      if (from.name === "START") {
        if (!start.includes(to.name)) start.push(to.name);
        continue;
      }
      push(edges, at, { kind: "static", from: from.name, to: to.name, origin: "edge", span: { start: from.span.start, end: to.span.end } });
    }
  }
  return { edges: inSourceOrder(edges, at), start };
}

/** Appends edge `e` and its start offset (a module function: a closure per call is a new call target each compile). */
function push(edges: EdgeSpec[], at: number[], e: EdgeSpec): void {
  edges.push(e);
  at.push(e.span.start.offset);
}

/**
 * `items` stably sorted by `at` (a key per item): what `items.sort(bySpanStart)` gives,
 * without reading a span per comparison. Items are mostly made in source order already,
 * which one pass over the keys finds.
 */
function inSourceOrder<T>(items: T[], at: readonly number[]): T[] {
  let sorted = true;
  for (let i = 1; i < at.length && sorted; i++) if (at[i - 1]! > at[i]!) sorted = false;
  if (sorted) return items;
  const order = Array.from({ length: items.length }, (_, i) => i).sort((a, b) => at[a]! - at[b]!);
  return order.map((i) => items[i]!);
}

const bySpanStart = (a: { readonly span: Span }, b: { readonly span: Span }): number => a.span.start.offset - b.span.start.offset;
const refName = (r: { readonly name: string }): string => r.name;

/** The graph's `input` (or `output`) fields, lowered; undefined when it declares none. */
function lowerIo(g: ResolvedGraph, dir: "input" | "output", env: LowerEnv): FieldSpec[] | undefined {
  let out: FieldSpec[] | undefined;
  for (const i of g.io) {
    if (i.direction !== dir) continue;
    out ??= [];
    for (const f of i.fields) out.push(lowerField(f, env.schemasUsed));
  }
  return out;
}

function lowerRoute(from: string, r: A.Route): EdgeSpec {
  if (r.kind === "LabelRoute") return { kind: "route", from, to: r.target.name, label: r.label.name, span: r.span };
  if (r.kind === "WhenRoute") return { kind: "when", from, to: r.target.name, when: lowerExpr(r.condition), span: r.span };
  return { kind: "else", from, to: r.target.name, span: r.span };
}

function sortKeys<T>(o: { [k: string]: T }): { [k: string]: T } {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export { lowerType };
