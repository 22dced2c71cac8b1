/**
 * The builder's declarations → `Blueprint`, in the same canonical shape as
 * `compiler/lower/graph.ts` produces from a `.rag` file: elements in declaration order
 * (the builder's call order stands in for source order), start entries, barriers, inline
 * agents and schemas that the graph uses, the capabilities it asks for, and the hash.
 */
import type { Diagnostic } from "../../grammar/diagnostic.js";
import type { AgentSpec, BarrierSpec, Blueprint, EdgeSpec, ExprSpec, FieldSpec, Json, NodeSpec, Provenance, TypeSpec } from "../blueprint.js";
import { IR_VERSION } from "../blueprint.js";
import { blueprintHash } from "../canonical.js";
import { blueprintCapabilities } from "../grants.js";
import type { RegistryView } from "../registry-view.js";
import { NO_SPAN, refsOf } from "./types.js";

/** A control-flow edge declared from a node (`next`, `routes`, `when`/`else`), kept in call order. */
export type FlowEdge =
  | { readonly kind: "static"; readonly to: string }
  | { readonly kind: "route"; readonly label: string; readonly to: string }
  | { readonly kind: "when"; readonly when: ExprSpec; readonly to: string }
  | { readonly kind: "else"; readonly to: string };

export interface NodeDecl {
  readonly name: string;
  /** Declaration position (the builder's call counter). */
  readonly pos: number;
  readonly spec: NodeSpec;
  readonly flow: FlowEdge[];
}

/** Everything a builder has declared (mutable while building). */
export interface Declarations {
  readonly id: string;
  readonly state: FieldSpec[];
  input?: FieldSpec[];
  output?: FieldSpec[];
  readonly schemas: Map<string, TypeSpec>;
  readonly agents: Map<string, AgentSpec>;
  /** Same-file graphs this graph may call (name → blueprint). */
  readonly graphs: Map<string, Blueprint>;
  readonly nodes: NodeDecl[];
  /** Top-level edges (`a -> b`, `START -> a`). */
  readonly edges: { readonly pos: number; readonly from: string; readonly to: string }[];
  /** Top-level barriers (`join [a, b] -> c`). */
  readonly joins: { readonly pos: number; readonly sources: readonly string[]; readonly target: string }[];
  /** `start X` items, in order. */
  readonly starts: string[];
  readonly interrupts: { before: string[]; after: string[]; policy?: string };
  checkpoint?: string;
  readonly defaults: { [key: string]: Json };
  readonly metadata: { [key: string]: Json };
  readonly tags: string[];
  readonly allow: { [kind: string]: string[] };
  provenance: Provenance;
  /** Problems found while declaring (expression parse errors, duplicates). */
  readonly problems: Diagnostic[];
}

/** What a send target names: a node, else an inline agent, else a same-file or registered graph, else an agent. */
export function sendTargetKind(d: Declarations, target: string, registry: RegistryView | undefined, nodes: ReadonlySet<string> = new Set(d.nodes.map((n) => n.name))): "node" | "agent" | "graph" {
  if (nodes.has(target)) return "node";
  if (d.agents.has(target)) return "agent";
  if (d.graphs.has(target) || registry?.graphs?.has(target)) return "graph";
  return "agent";
}

/** Nodes with their send target kinds settled (an explicit `targetKind` wins). */
export function settledNodes(d: Declarations, registry: RegistryView | undefined, explicit: ReadonlySet<string>): NodeSpec[] {
  const names = new Set(d.nodes.map((n) => n.name));
  return d.nodes.map((n) => {
    if (!n.spec.sends) return n.spec;
    const sends = n.spec.sends.map((s, i) => (explicit.has(`${n.name}#${i}`) ? s : { ...s, targetKind: sendTargetKind(d, s.target, registry, names) }));
    return { ...n.spec, sends };
  });
}

function edgesAndStart(d: Declarations): { edges: EdgeSpec[]; start: string[] } {
  const keyed: { pos: number; edge: EdgeSpec }[] = [];
  for (const n of d.nodes) {
    for (const f of n.flow) {
      const e: EdgeSpec =
        f.kind === "static"
          ? { kind: "static", from: n.name, to: f.to, origin: "next", span: NO_SPAN }
          : f.kind === "route"
            ? { kind: "route", from: n.name, to: f.to, label: f.label, span: NO_SPAN }
            : f.kind === "when"
              ? { kind: "when", from: n.name, to: f.to, when: f.when, span: NO_SPAN }
              : { kind: "else", from: n.name, to: f.to, span: NO_SPAN };
      keyed.push({ pos: n.pos, edge: e });
    }
    const goto = n.spec.command?.graph === "parent" ? undefined : n.spec.command?.goto;
    if (goto) keyed.push({ pos: n.pos, edge: { kind: "goto", from: n.name, to: goto, span: NO_SPAN } });
  }
  const start = [...d.starts];
  for (const e of d.edges) {
    if (e.from === "START") {
      if (!start.includes(e.to)) start.push(e.to);
      continue;
    }
    keyed.push({ pos: e.pos, edge: { kind: "static", from: e.from, to: e.to, origin: "edge", span: NO_SPAN } });
  }
  keyed.sort((a, b) => a.pos - b.pos);
  return { edges: keyed.map((k) => k.edge), start };
}

function barriers(d: Declarations, nodes: readonly NodeSpec[]): BarrierSpec[] {
  const keyed: { pos: number; b: BarrierSpec }[] = d.joins.map((j) => ({ pos: j.pos, b: { sources: [...j.sources], target: j.target, origin: "edge", span: NO_SPAN } }));
  nodes.forEach((n, i) => {
    if (n.kind === "join" && n.sources?.length) keyed.push({ pos: d.nodes[i].pos, b: { sources: n.sources, target: n.name, origin: "node", span: NO_SPAN } });
  });
  keyed.sort((a, b) => a.pos - b.pos);
  return keyed.map((k) => k.b);
}

/** Inline agents the graph uses (node `agent` bindings and agent send targets), sorted by name. */
function usedAgents(d: Declarations, nodes: readonly NodeSpec[]): AgentSpec[] {
  const used = new Set<string>();
  for (const n of nodes) {
    if (n.agent && d.agents.has(n.agent)) used.add(n.agent);
    for (const s of n.sends ?? []) if (s.targetKind === "agent" && d.agents.has(s.target)) used.add(s.target);
  }
  return [...used].sort().map((name) => d.agents.get(name)!);
}

/** Declared schemas reachable from the graph's types, sorted by name. */
function usedSchemas(d: Declarations, nodes: readonly NodeSpec[], agents: readonly AgentSpec[]): { [name: string]: TypeSpec } {
  const refs = new Set<string>();
  for (const f of [...d.state, ...(d.input ?? []), ...(d.output ?? [])]) refsOf(f.type, refs);
  for (const x of [...nodes, ...agents]) if (x.output) refsOf(x.output, refs);
  const out: { [name: string]: TypeSpec } = {};
  const pending = [...refs];
  while (pending.length) {
    const name = pending.shift()!;
    const def = d.schemas.get(name);
    if (!def || out[name]) continue;
    out[name] = def;
    pending.push(...refsOf(def, new Set()));
  }
  return sortKeys(out);
}

function sortKeys<T>(o: { [k: string]: T }): { [k: string]: T } {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The blueprint, hashed. `nodes` are the settled node specs (see `settledNodes`). */
export function assemble(d: Declarations, nodes: NodeSpec[]): Blueprint {
  const { edges, start } = edgesAndStart(d);
  const agents = usedAgents(d, nodes);
  const schemas = usedSchemas(d, nodes, agents);
  const subgraphs: { [name: string]: string } = {};
  for (const n of nodes) {
    if (n.graph && d.graphs.has(n.graph)) subgraphs[n.graph] = d.graphs.get(n.graph)!.hash;
    for (const s of n.sends ?? []) if (s.targetKind === "graph" && d.graphs.has(s.target)) subgraphs[s.target] = d.graphs.get(s.target)!.hash;
  }
  const base = {
    irVersion: IR_VERSION,
    id: d.id,
    start,
    state: [...d.state],
    ...(d.input ? { input: d.input } : {}),
    ...(d.output ? { output: d.output } : {}),
    ...(Object.keys(schemas).length ? { schemas } : {}),
    nodes,
    edges,
    barriers: barriers(d, nodes),
    interrupts: { before: [...d.interrupts.before], after: [...d.interrupts.after], ...(d.interrupts.policy ? { policy: d.interrupts.policy } : {}) },
    ...(d.checkpoint ? { checkpoint: d.checkpoint } : {}),
    defaults: { ...d.defaults },
    metadata: { ...d.metadata },
    tags: [...d.tags],
    allow: Object.fromEntries(Object.entries(d.allow).map(([k, v]) => [k, [...v]])),
    capabilities: blueprintCapabilities(nodes, agents, d.state, { agents: new Set(d.agents.keys()), graphs: new Set(d.graphs.keys()) }),
    agents,
    subgraphs: sortKeys(subgraphs),
    provenance: d.provenance,
    span: NO_SPAN,
  } satisfies Omit<Blueprint, "hash">;
  const hash = blueprintHash(base);
  const { irVersion, id, ...rest } = base;
  return { irVersion, id, hash, ...rest };
}
