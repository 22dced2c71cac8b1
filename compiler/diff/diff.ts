/**
 * `diffBlueprints(a, b)`: the semantic diff of two Blueprints (`rag diff`, the REPL's
 * `graph_diff`, review gates). It compares the semantic form only — no spans, no
 * provenance, no spelling `origin` — so two blueprints with the same hash have an empty
 * diff, and reformatting never shows up. Changes are listed by area in a fixed order
 * (graph, start, nodes, edges, routes, barriers, channels, input, output, schemas,
 * agents, subgraphs, policies, capabilities); a changed node or agent lists its fields.
 * Any difference of the hashed form that no area itemizes is still reported (as a
 * `graph` change), so a hash change never yields an empty diff.
 */
import type { Blueprint, EdgeSpec, FieldSpec, Json } from "../blueprint.js";
import { semanticPartJson } from "../canonical.js";
import { exprSpecText } from "../ir-text.js";

export type ChangeOp = "added" | "removed" | "changed";

export type DiffArea =
  | "graph" | "start" | "node" | "edge" | "route" | "barrier" | "channel" | "input" | "output" | "schema" | "agent" | "subgraph" | "policy" | "capability";

/** One field of a changed node, agent or channel (`model`: "m1" → "m2"). IR field names. */
export interface FieldChange {
  readonly field: string;
  readonly before?: Json;
  readonly after?: Json;
}

export interface BlueprintChange {
  readonly area: DiffArea;
  readonly op: ChangeOp;
  /** What changed: a node or channel name, `a -> b`, `plan.research` (route label), `checkpoint`, `tools: search`. */
  readonly subject: string;
  /** Value before / after (spans removed); absent on the side where the thing does not exist. */
  readonly before?: Json;
  readonly after?: Json;
  /** For changed nodes, agents, channels and I/O fields: the fields that differ. */
  readonly fields?: readonly FieldChange[];
}

export interface BlueprintDiff {
  readonly from: { readonly id: string; readonly hash: string };
  readonly to: { readonly id: string; readonly hash: string };
  /** True when the hashes are equal (then `changes` is empty). */
  readonly identical: boolean;
  readonly changes: readonly BlueprintChange[];
}

/** Top-level Blueprint keys this module itemizes; any other differing key is reported generically. */
const ITEMIZED = new Set([
  "irVersion", "id", "hash", "start", "state", "input", "output", "schemas", "nodes", "edges", "barriers", "interrupts", "checkpoint",
  "defaults", "metadata", "tags", "allow", "capabilities", "agents", "subgraphs", "provenance", "source", "span",
]);

export function diffBlueprints(a: Blueprint, b: Blueprint): BlueprintDiff {
  const out: BlueprintChange[] = [];
  if (a.id !== b.id) out.push({ area: "graph", op: "changed", subject: "id", before: a.id, after: b.id });
  if (!same(a.start, b.start)) out.push({ area: "start", op: "changed", subject: "start", before: [...a.start], after: [...b.start] });
  out.push(...keyed("node", a.nodes, b.nodes, (n) => n.name, ["name"]));
  out.push(...edgeChanges(a.edges, b.edges));
  out.push(...multiset("barrier", a.barriers.map((x) => `join [${x.sources.join(", ")}] -> ${x.target}`), b.barriers.map((x) => `join [${x.sources.join(", ")}] -> ${x.target}`)));
  out.push(...keyed("channel", a.state, b.state, (f) => f.name, ["name"]));
  out.push(...ioChanges("input", a.input, b.input));
  out.push(...ioChanges("output", a.output, b.output));
  out.push(...mapChanges("schema", "", a.schemas ?? {}, b.schemas ?? {}));
  out.push(...keyed("agent", a.agents, b.agents, (x) => x.name, ["name"]));
  out.push(...mapChanges("subgraph", "", a.subgraphs, b.subgraphs));
  out.push(...policyChanges(a, b));
  out.push(...capabilityChanges(a, b));
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (ITEMIZED.has(k)) continue;
    const x = (a as unknown as Record<string, unknown>)[k];
    const y = (b as unknown as Record<string, unknown>)[k];
    const at: At = { field: k, parent: a };
    if (!same(x, y, at)) out.push({ area: "graph", op: "changed", subject: k, ...side("before", x, at), ...side("after", y, at) });
  }
  if (!out.length && a.hash !== b.hash) out.push({ area: "graph", op: "changed", subject: "blueprint", before: a.hash, after: b.hash });
  return { from: { id: a.id, hash: a.hash }, to: { id: b.id, hash: b.hash }, identical: a.hash === b.hash, changes: out };
}

// ─────────────────────────────── helpers ───────────────────────────────

/**
 * Where a compared value sits in the IR: under member `field` of `parent` (so that a
 * node's `metadata` or a field's `default` is compared as the user value it is), or, with
 * no `field`, an IR element itself (a node, a channel, an expression).
 */
interface At {
  readonly field?: string;
  readonly parent?: object;
}

/** The hashed form of `v` (`semanticPartJson`): IR spans removed, user values as written. */
function hashed(v: unknown, at: At): string {
  return semanticPartJson(v, at.field, at.parent);
}

/** Semantic JSON of a value as the hash sees it, parsed (user values keep their key order). */
function plain(v: unknown, at: At = {}): Json {
  return JSON.parse(hashed(v, at)) as Json;
}

function same(x: unknown, y: unknown, at: At = {}): boolean {
  return hashed(x, at) === hashed(y, at);
}

function side(key: "before" | "after", v: unknown, at: At = {}): { before?: Json } | { after?: Json } {
  return v === undefined ? {} : { [key]: plain(v, at) };
}

/** Field-by-field differences of two objects (every key of either side except `skip` and spans). */
function fieldChanges(x: object, y: object, skip: readonly string[]): FieldChange[] {
  const xr = x as Record<string, unknown>;
  const yr = y as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(xr), ...Object.keys(yr)])].filter((k) => k !== "span" && !skip.includes(k));
  return keys.filter((k) => !same(xr[k], yr[k], { field: k, parent: xr })).map((k) => ({ field: k, ...side("before", xr[k], { field: k, parent: xr }), ...side("after", yr[k], { field: k, parent: yr }) }));
}

/** Added, removed and changed elements of two lists keyed by name (removed in `a`'s order, the rest in `b`'s). */
function keyed<T extends object>(area: DiffArea, as: readonly T[], bs: readonly T[], key: (t: T) => string, skip: readonly string[]): BlueprintChange[] {
  const am = new Map(as.map((t) => [key(t), t]));
  const bm = new Map(bs.map((t) => [key(t), t]));
  const out: BlueprintChange[] = [];
  for (const [k, t] of am) if (!bm.has(k)) out.push({ area, op: "removed", subject: k, before: plain(t) });
  for (const [k, t] of bm) {
    const old = am.get(k);
    if (!old) out.push({ area, op: "added", subject: k, after: plain(t) });
    else if (!same(old, t)) out.push({ area, op: "changed", subject: k, fields: fieldChanges(old, t, skip) });
  }
  return out;
}

/** Added and removed strings, counted (a repeated edge is two edges). */
function multiset(area: DiffArea, as: readonly string[], bs: readonly string[]): BlueprintChange[] {
  const count = (xs: readonly string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
  const ac = count(as);
  const bc = count(bs);
  const out: BlueprintChange[] = [];
  for (const [k, n] of ac) for (let i = bc.get(k) ?? 0; i < n; i++) out.push({ area, op: "removed", subject: k });
  for (const [k, n] of bc) for (let i = ac.get(k) ?? 0; i < n; i++) out.push({ area, op: "added", subject: k });
  return out;
}

/** Static and goto edges as `edge` changes; labelled routes keyed by `from.label` (a new target is a change); conditions as `route` changes. */
function edgeChanges(as: readonly EdgeSpec[], bs: readonly EdgeSpec[]): BlueprintChange[] {
  const plainEdge = (e: EdgeSpec) => (e.kind === "goto" ? `${e.from} -> ${e.to} (goto)` : `${e.from} -> ${e.to}`);
  const isEdge = (e: EdgeSpec) => e.kind === "static" || e.kind === "goto";
  const out = multiset("edge", as.filter(isEdge).map(plainEdge), bs.filter(isEdge).map(plainEdge));
  const labelled = (es: readonly EdgeSpec[]) => es.flatMap((e) => (e.kind === "route" ? [{ key: `${e.from}.${e.label}`, to: e.to }] : []));
  const la = new Map(labelled(as).map((r) => [r.key, r.to]));
  const lb = new Map(labelled(bs).map((r) => [r.key, r.to]));
  for (const [k, to] of la) if (!lb.has(k)) out.push({ area: "route", op: "removed", subject: k, before: to });
  for (const [k, to] of lb) {
    if (!la.has(k)) out.push({ area: "route", op: "added", subject: k, after: to });
    else if (la.get(k) !== to) out.push({ area: "route", op: "changed", subject: k, before: la.get(k)!, after: to });
  }
  const cond = (es: readonly EdgeSpec[]) => es.flatMap((e) => (e.kind === "when" ? [`${e.from} when ${exprSpecText(e.when)} -> ${e.to}`] : e.kind === "else" ? [`${e.from} else -> ${e.to}`] : []));
  out.push(...multiset("route", cond(as), cond(bs)));
  return out;
}

function ioChanges(area: "input" | "output", a: readonly FieldSpec[] | undefined, b: readonly FieldSpec[] | undefined): BlueprintChange[] {
  if (a === undefined && b === undefined) return [];
  return keyed(area, a ?? [], b ?? [], (f) => f.name, ["name"]);
}

/**
 * Entries of two string-keyed maps; `prefix` names the map in the subject
 * (`defaults.timeout`). `at`: where the map's entries sit (`{ field: "metadata" }`: each
 * entry is part of a user value).
 */
function mapChanges(area: DiffArea, prefix: string, a: { readonly [k: string]: unknown }, b: { readonly [k: string]: unknown }, at: At = {}): BlueprintChange[] {
  const out: BlueprintChange[] = [];
  for (const k of Object.keys(a)) if (!Object.hasOwn(b, k)) out.push({ area, op: "removed", subject: prefix + k, before: plain(a[k], at) });
  for (const k of Object.keys(b)) {
    if (!Object.hasOwn(a, k)) out.push({ area, op: "added", subject: prefix + k, after: plain(b[k], at) });
    else if (!same(a[k], b[k], at)) out.push({ area, op: "changed", subject: prefix + k, before: plain(a[k], at), after: plain(b[k], at) });
  }
  return out;
}

/**
 * A user map (`defaults`, `metadata`) entry by entry, then, when no entry changed but
 * the keys are in another order (the runtime's `keys()` sees it; so does the hash), the
 * map itself as one change `NAME (key order)`.
 */
function userMapChanges(name: "defaults" | "metadata", a: { readonly [k: string]: Json }, b: { readonly [k: string]: Json }): BlueprintChange[] {
  const at: At = { field: name };
  const out = mapChanges("policy", `${name}.`, a, b, at);
  if (!out.length && !same(a, b, at)) out.push({ area: "policy", op: "changed", subject: `${name} (key order)`, before: plain(a, at), after: plain(b, at) });
  return out;
}

/** Interrupts, checkpoint, defaults, metadata, tags and `allow` declarations. */
function policyChanges(a: Blueprint, b: Blueprint): BlueprintChange[] {
  const out: BlueprintChange[] = [];
  const scalar = (subject: string, x: Json | undefined, y: Json | undefined) => {
    if (same(x, y)) return;
    out.push({ area: "policy", op: x === undefined ? "added" : y === undefined ? "removed" : "changed", subject, ...side("before", x), ...side("after", y) });
  };
  scalar("interrupt before", a.interrupts.before.length ? [...a.interrupts.before] : undefined, b.interrupts.before.length ? [...b.interrupts.before] : undefined);
  scalar("interrupt after", a.interrupts.after.length ? [...a.interrupts.after] : undefined, b.interrupts.after.length ? [...b.interrupts.after] : undefined);
  scalar("interrupt", a.interrupts.policy, b.interrupts.policy);
  scalar("checkpoint", a.checkpoint, b.checkpoint);
  out.push(...userMapChanges("defaults", a.defaults, b.defaults));
  out.push(...userMapChanges("metadata", a.metadata, b.metadata));
  scalar("tags", a.tags.length ? [...a.tags] : undefined, b.tags.length ? [...b.tags] : undefined);
  out.push(...mapChanges("policy", "allow.", a.allow, b.allow));
  return out;
}

/** One change per capability name granted or no longer needed (`models: gpt`). */
function capabilityChanges(a: Blueprint, b: Blueprint): BlueprintChange[] {
  const out: BlueprintChange[] = [];
  // Both sides' kinds: `nodeKinds` is present only on a blueprint that uses a registry kind.
  for (const kind of new Set([...Object.keys(a.capabilities), ...Object.keys(b.capabilities)]) as Set<keyof Blueprint["capabilities"]>) {
    const x = new Set(a.capabilities[kind]);
    const y = new Set(b.capabilities[kind]);
    for (const n of x) if (!y.has(n)) out.push({ area: "capability", op: "removed", subject: `${kind}: ${n}` });
    for (const n of y) if (!x.has(n)) out.push({ area: "capability", op: "added", subject: `${kind}: ${n}` });
  }
  return out;
}
