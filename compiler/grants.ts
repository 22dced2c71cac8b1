/**
 * Capability grants and the one authorisation decision.
 *
 * A `.rag` file holds no host code: every model, tool, agent, graph, script, route
 * function, reducer, validator and registry node kind (`kind send_email`) it uses is a
 * name the registry must grant
 * (`language.md` intro). This module is the single place that decides whether a use of
 * such a name is allowed, for every path that reaches one — model, agent, executor and
 * tool nodes, an agent's own tool loop, sends, subgraphs, route functions, validators,
 * reducers, CodeAct scripts, REPL sessions and nodes of a registry's own kinds. The compiler lists a blueprint's
 * capabilities with `blueprintCapabilities`, reports `E-rag-disallowed-capability` with
 * `authorize`, and the runtime checks every use at bind time and at call time with the
 * same two functions; so what `rag approve` shows is what can happen.
 *
 * The rule, deny by default: a use of `kind NAME` is allowed only when
 * 1. the caller's **binding** names it (`Grants`: what the node, agent or session itself
 *    declares — an agent node with no `tools` item binds no tool, an empty list binds
 *    nothing), and
 * 2. every **limit** in scope lists it, for the kinds the limit restricts (the graph's
 *    own `allow` lists; those of an enclosing graph; the grants of the session or node a
 *    nested run was started from), and
 * 3. the registry's **policy** allows it for the blueprint's provenance
 *    (`policy-view.ts`: `allow`, and `untrustedAllow` for generated blueprints).
 * Agents and graphs of the same file (`local`) are bound like registry names but are no
 * registry capabilities: limits and the policy apply to what they in turn use.
 *
 * A run started from another (a subgraph node, a send to a graph, a CodeAct script's
 * `graph_run`) is held to the limits `childRunLimits` derives from its caller, and a
 * graph binds only if `bindRefusals` finds nothing outside them: the runtime binds child
 * runs with these two functions and `compiler/reach.ts` lists what a blueprint reaches
 * with the same two, so `rag approve`'s `reaches` lines are what the child runs may use.
 */
import type { AgentSpec, Blueprint, Capabilities, FieldSpec, NodeSpec, Provenance } from "./blueprint.js";
import { allowedNames, CAPABILITY_KINDS, isUntrusted, type CapabilityAllowlist, type CapabilityKind, type PolicyView } from "./policy-view.js";
import { canonicalKind } from "./resolve/kinds.js";
import { canonicalReducer } from "./resolve/reducers.js";

/**
 * The path a capability use takes: a node kind, an agent's tool loop, a send, a script or
 * session, or a bind-time check. Carried into denials, events and audits.
 */
export type CallerKind =
  | "model" | "agent" | "tool_executor" | "tool" | "router" | "subagent" | "subgraph" | "repl_agent" | "node"
  | "agent_loop" | "send" | "codeact" | "repl" | "reducer" | "validator" | "bind";

/** Names granted, per capability kind. A kind that is absent grants nothing (deny by default). */
export type Grants = { readonly [K in CapabilityKind]?: ReadonlySet<string> };

/**
 * An allowlist in scope: per capability kind, the names that may be used; a kind the
 * list leaves out is not restricted by it (the semantics of `allow` declarations).
 */
export interface GrantLimit {
  /** Shown in denials: "graph `g`'s `allow` lists", "node `coder`'s grants". */
  readonly source: string;
  readonly allow: CapabilityAllowlist;
}

/** Everything the decision looks at besides the request. */
export interface AuthScope {
  /** Who asks, for messages: "node `a`", "agent `r` (node `a`)", "session `s1`". */
  readonly owner: string;
  /** What the caller itself binds. */
  readonly grants: Grants;
  /** Allowlists in scope, innermost first. */
  readonly limits: readonly GrantLimit[];
  readonly policy?: PolicyView;
  /** Provenance of the blueprint (or session) asking: generated ones are untrusted under the policy. */
  readonly provenance?: Provenance;
  /** Agents and graphs of the same file: bound, but not registry capabilities. */
  readonly local?: { readonly agents?: ReadonlySet<string>; readonly graphs?: ReadonlySet<string> };
}

export interface CapabilityRequest {
  readonly kind: CapabilityKind;
  readonly name: string;
  readonly caller: CallerKind;
}

/** Why a use was refused: not bound by the caller, outside a limit, or outside the policy. */
export type DenialRule = "not-granted" | "limit" | "policy";

export type Decision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly rule: DenialRule; readonly reason: string; readonly source?: string };

const ALLOWED: Decision = Object.freeze({ allowed: true });

/** "tool", "route function", "node kind", … */
export function capabilityNoun(kind: CapabilityKind): string {
  return kind === "routers" ? "route function" : kind === "nodeKinds" ? "node kind" : kind.slice(0, -1);
}

/**
 * Whether node kind `kind` (as a `NodeSpec` holds it, or as written) is a registry's own
 * kind — a capability (`nodeKinds`) — rather than one of the language's (`NODE_KINDS`
 * and their aliases). A kind named `toString` or `__proto__` is a registry kind too.
 */
export function isRegistryKind(kind: string): boolean {
  return canonicalKind(kind) === undefined;
}

/** The other spelling of a name that counts as the same grant (a reducer's canonical name), if any. */
function otherSpelling(kind: CapabilityKind, name: string): string | undefined {
  if (kind !== "reducers") return undefined;
  const canon = canonicalReducer(name);
  return canon && canon !== name ? canon : undefined;
}

// A list that is neither a Set nor an array lists nothing (deny): a Blueprint built or
// edited without the compiler with `allow { tools: "top-secret" }` had `String.includes`
// answer, so every tool whose name was part of that text passed the limit.
const has = (names: ReadonlySet<string> | readonly string[], n: string) => (names instanceof Set ? names.has(n) : Array.isArray(names) && names.includes(n));
const listed = (names: ReadonlySet<string> | readonly string[], name: string, other: string | undefined) => has(names, name) || (other !== undefined && has(names, other));

/**
 * The one authorisation decision (see the module comment). Pure and cheap: no
 * allocation on the allowed path beyond the policy's name set (the refusal's wording is
 * built only for a refusal).
 */
export function authorize(req: CapabilityRequest, scope: AuthScope): Decision {
  const { kind, name } = req;
  const other = otherSpelling(kind, name);
  const granted = scope.grants[kind];
  if (!granted || !listed(granted, name, other)) {
    const have = granted && granted.size ? [...granted].sort().map((n) => `\`${n}\``).join(", ") : "none";
    return { allowed: false, rule: "not-granted", reason: `${capabilityNoun(kind)} \`${name}\` is not available to ${scope.owner} (${kind} it binds: ${have})` };
  }
  if ((kind === "agents" && scope.local?.agents?.has(name)) || (kind === "graphs" && scope.local?.graphs?.has(name))) return ALLOWED;
  for (const limit of scope.limits) {
    const names = limit.allow[kind];
    // Present but not a list (null, a string): restricts the kind and lists nothing.
    if (names !== undefined && !listed(names ?? [], name, other)) {
      return { allowed: false, rule: "limit", source: limit.source, reason: `${capabilityNoun(kind)} \`${name}\` (used by ${scope.owner}) is outside ${limit.source} (${kind}: ${!Array.isArray(names) ? "not a list" : names.length ? names.map((n) => `\`${n}\``).join(", ") : "none"})` };
    }
  }
  if (scope.policy) {
    const allowed = allowedNames(scope.policy, kind, scope.provenance);
    if (allowed && !listed(allowed.names, name, other)) {
      const who = allowed.untrusted ? ` for ${scope.provenance?.generatedBy ?? "generated"}-generated blueprints` : "";
      return { allowed: false, rule: "policy", source: scope.policy.name, reason: `${capabilityNoun(kind)} \`${name}\` (used by ${scope.owner}) is disallowed by policy \`${scope.policy.name}\`${who}` };
    }
  }
  return ALLOWED;
}

// ───────────────────────────── bindings ─────────────────────────────

type MutableGrants = { [K in CapabilityKind]?: Set<string> };

function add(g: MutableGrants, kind: CapabilityKind, name: string | undefined): void {
  if (!name) return;
  (g[kind] ??= new Set()).add(name);
}

/**
 * What a node binds, from its IR (`NodeSpec`) alone: its kind when that is a registry's
 * own (`nodeKinds`), its `model`, `tools`, `tool`,
 * `agent`, `graph`, `script`, route function and validators, the lists a `repl_agent`
 * grants its scripts (`models`, `agents`, `graphs`), and the agents and graphs its sends
 * target. What an agent it binds uses in turn is that agent's binding (`agentGrants`).
 */
export function nodeGrants(n: NodeSpec): Grants {
  return addNodeGrants({}, n);
}

/** Adds what node `n` binds to `g` (see `nodeGrants`); returns `g`. */
function addNodeGrants(g: MutableGrants, n: NodeSpec): MutableGrants {
  if (typeof n.kind === "string" && isRegistryKind(n.kind)) add(g, "nodeKinds", n.kind);
  add(g, "models", n.model);
  if (n.models) for (const m of n.models) add(g, "models", m);
  if (n.tools) for (const t of n.tools) add(g, "tools", t);
  add(g, "tools", n.tool);
  add(g, "agents", n.agent);
  if (n.agents) for (const a of n.agents) add(g, "agents", a);
  add(g, "graphs", n.graph);
  if (n.graphs) for (const x of n.graphs) add(g, "graphs", x);
  add(g, "scripts", n.script);
  add(g, "routers", n.route);
  if (n.validators) for (const v of n.validators) add(g, "validators", v);
  // absent lists are skipped, not replaced by a new empty list (this runs per node)
  if (n.sends) for (const s of n.sends) {
    if (s.targetKind === "agent") add(g, "agents", s.target);
    else if (s.targetKind === "graph") add(g, "graphs", s.target);
  }
  return g;
}

/** A registered agent's binding as the registry declares it (model and tools). */
export interface AgentBinding {
  readonly model?: string;
  readonly tools?: readonly string[];
}

/** Registered agents' bindings by name; undefined for a name the registry does not hold. */
export type AgentBindingLookup = (name: string) => AgentBinding | undefined;

/**
 * What an agent binds: its model and its tools — from the file's inline `agent` block if
 * there is one, else from its registration. An agent without tools binds no tool.
 * Undefined when the agent is neither.
 */
export function agentGrants(name: string, inline: readonly AgentSpec[], registered?: AgentBindingLookup): Grants | undefined {
  const spec: AgentBinding | undefined = inline.find((a) => a.name === name) ?? registered?.(name);
  if (!spec) return undefined;
  const g: MutableGrants = {};
  add(g, "models", spec.model);
  for (const t of spec.tools ?? []) add(g, "tools", t);
  return g;
}

/** The union of grant sets. */
export function unionGrants(...sets: readonly (Grants | undefined)[]): Grants {
  const g: MutableGrants = {};
  for (const s of sets) {
    if (!s) continue;
    for (const kind of CAPABILITY_KINDS) for (const n of s[kind] ?? []) add(g, kind, n);
  }
  return g;
}

/** A grant set as a limit: every kind present, so a kind it does not grant is refused. */
export function grantsAsLimit(source: string, g: Grants): GrantLimit {
  const allow: { [K in CapabilityKind]?: readonly string[] } = {};
  for (const kind of CAPABILITY_KINDS) allow[kind] = [...(g[kind] ?? [])].sort();
  return { source, allow };
}

/** The graph's own `allow` lists as a limit, or none when it declares none. */
export function allowLimit(graph: string, allow: { readonly [kind: string]: readonly string[] }): GrantLimit | undefined {
  const kinds = Object.keys(allow).filter((k): k is CapabilityKind => (CAPABILITY_KINDS as readonly string[]).includes(k));
  if (!kinds.length) return undefined;
  const out: { [K in CapabilityKind]?: readonly string[] } = {};
  for (const k of kinds) out[k] = allow[k];
  return { source: `graph \`${graph}\`'s \`allow\` lists`, allow: out };
}

/**
 * The policy's `untrustedAllow` lists as a limit, when `provenance` is untrusted under
 * `policy` (`isUntrusted`) and the lists restrict some kind; else undefined. A limit,
 * unlike the policy check, follows every run the untrusted blueprint starts: a registered
 * graph it runs is held to what the generated caller may use (red team 11).
 */
export function untrustedLimit(policy: PolicyView, provenance: Provenance | undefined): GrantLimit | undefined {
  if (!isUntrusted(policy, provenance)) return undefined;
  const lists: CapabilityAllowlist = policy.untrustedAllow ?? {};
  const allow: { [K in CapabilityKind]?: readonly string[] } = {};
  let any = false;
  for (const kind of CAPABILITY_KINDS) {
    if (!Object.hasOwn(lists, kind) || lists[kind] === undefined) continue;
    allow[kind] = lists[kind];
    any = true;
  }
  return any ? { source: `policy \`${policy.name}\`'s \`untrustedAllow\` lists (the run was started by a generated graph)`, allow } : undefined;
}

/** Who starts a child run: what `childRunLimits` derives the child's limits from. */
export interface ChildRunCaller {
  /** The calling graph's id (named in the source of a node's grants). */
  readonly graph: string;
  /** The calling run's limits: its own `allow` lists, then those it inherited (`RunAuthority.limits`). */
  readonly limits: readonly GrantLimit[];
  readonly policy?: PolicyView;
  /** The calling blueprint's provenance: the runs a generated blueprint starts are held to `untrustedAllow`. */
  readonly provenance?: Provenance;
  /** The calling node, when known: a `repl_agent`'s grants (and its agents') limit the runs its scripts start. */
  readonly node?: NodeSpec;
  /** The calling blueprint's inline agents (a `repl_agent` node's agents' grants). */
  readonly inlineAgents?: readonly AgentSpec[];
  /** Registered agents' bindings (a `repl_agent` node's agents' grants). */
  readonly registeredAgents?: AgentBindingLookup;
  /**
   * The names of the registry's node kinds (`defineConfig({ nodeKinds })`, the language's
   * own among them are skipped): a `repl_agent` node's session may have its graphs run
   * those the caller's scope allows (`sessionKinds`). Absent: none.
   */
  readonly registryKinds?: Iterable<string>;
}

/**
 * The limits of a run `caller` starts (innermost first), the one rule every child-run
 * path uses — subgraph nodes, sends to a graph, `task.runGraph` (CodeAct `graph_run` of a
 * registered graph, custom node kinds), a CodeAct session's own graphs — and
 * `compiler/reach.ts` too:
 * - the caller's own limits (its `allow` lists and what it inherited), always;
 * - a `repl_agent` node's grants and those of the agents it binds: a run its script starts
 *   uses no more than the node was given;
 * - the policy's `untrustedAllow` lists when the caller is untrusted (`untrustedLimit`):
 *   a generated graph cannot reach through a registered graph what it may not bind itself.
 * Limits only narrow (deny by default); nested runs inherit them, so the rule is
 * transitive. A limit already in `caller.limits` (same source, same lists) is not added
 * twice, so a graph that runs itself again does not grow its list.
 */
export function childRunLimits(caller: ChildRunCaller): readonly GrantLimit[] {
  const extra: GrantLimit[] = [];
  const n = caller.node;
  if (n && n.kind === "repl_agent") {
    const own = nodeGrants(n);
    const agents = [...(own.agents ?? [])].map((a) => agentGrants(a, caller.inlineAgents ?? [], caller.registeredAgents));
    extra.push(grantsAsLimit(`the grants of node \`${n.name}\` of graph \`${caller.graph}\``, unionGrants(own, ...agents, sessionKinds(caller, n))));
  }
  const untrusted = caller.policy ? untrustedLimit(caller.policy, caller.provenance) : undefined;
  if (untrusted) extra.push(untrusted);
  const fresh = extra.filter((l) => !caller.limits.some((x) => x.source === l.source && sameLists(x.allow, l.allow)));
  return fresh.length ? [...fresh, ...caller.limits] : caller.limits;
}

/**
 * The registry node kinds a session hosted by `repl_agent` node `n` may have its graphs
 * run: no node item names kinds, so — as a top-level session is granted every registered
 * name (`repl/host.ts` `sessionScope`) — every registry kind the caller's own scope allows
 * (its limits, and the policy for its provenance). One rule for the runtime
 * (`RunAuthority.childLimits`) and `rag approve`'s reach listing (`reachReport`): the
 * listing judged a `repl_agent`'s graphs without them and printed a graph of an allowed
 * kind as refused while the run started it (red team 12A).
 */
function sessionKinds(caller: ChildRunCaller, n: NodeSpec): Grants {
  const all = [...(caller.registryKinds ?? [])].filter(isRegistryKind);
  if (!all.length) return {};
  const scope: AuthScope = { owner: `node \`${n.name}\` of graph \`${caller.graph}\``, grants: { nodeKinds: new Set(all) }, limits: caller.limits, ...(caller.policy ? { policy: caller.policy } : {}), ...(caller.provenance ? { provenance: caller.provenance } : {}) };
  return { nodeKinds: new Set(all.filter((name) => authorize({ kind: "nodeKinds", name, caller: "repl_agent" }, scope).allowed)) };
}

function sameLists(a: CapabilityAllowlist, b: CapabilityAllowlist): boolean {
  for (const kind of CAPABILITY_KINDS) {
    const x = a[kind];
    const y = b[kind];
    if (x === y) continue;
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length || x.some((v, i) => v !== y[i])) return false;
  }
  return true;
}

/** One capability a blueprint lists that it may not bind under its limits and the policy. */
export interface BindRefusal {
  readonly kind: CapabilityKind;
  readonly name: string;
  readonly rule: DenialRule;
  readonly reason: string;
  readonly source?: string;
}

/**
 * What keeps `bp` from binding under `limits` (its run's limits: its own `allow` lists
 * first, then the inherited ones) and `policy`: one `authorize` per capability it lists,
 * for its own provenance. Built-in reducers (`overwrite`, …) are listed but not judged;
 * the reducer functions its state names are. Empty when it binds. The runtime refuses to
 * bind a graph (root or child run) with any refusal, and `compiler/reach.ts` reports a
 * reached graph with one as refused, listing nothing of it.
 */
export function bindRefusals(bp: Blueprint, limits: readonly GrantLimit[], policy: PolicyView | undefined): BindRefusal[] {
  const refused: BindRefusal[] = [];
  for (const [kind, names] of Object.entries(bp.capabilities) as [CapabilityKind, readonly string[]][]) {
    for (const name of names) {
      if (kind === "reducers" && !bp.state.some((f) => f.reducer.fn === name)) continue;
      const d = authorize({ kind, name, caller: "bind" }, { owner: `graph \`${bp.id}\``, grants: { [kind]: new Set([name]) }, limits, ...(policy ? { policy } : {}), ...(bp.provenance ? { provenance: bp.provenance } : {}) });
      if (!d.allowed) refused.push({ kind, name, rule: d.rule, reason: d.reason, ...(d.source !== undefined ? { source: d.source } : {}) });
    }
  }
  return refused;
}

/** Same-file agents and graphs a blueprint uses: bound like capabilities, listed by their own uses. */
export interface LocalNames {
  readonly agents: ReadonlySet<string>;
  readonly graphs: ReadonlySet<string>;
}

/**
 * The capabilities a blueprint asks the registry for (`Blueprint.capabilities`): the
 * union of its nodes' bindings (registry node kinds included, listed under `nodeKinds`
 * only when there is one) and of the inline agents' bindings, registry names only
 * (same-file agents and graphs are left out: their own uses are listed), plus the
 * reducers of its state. The compiler and `GraphBuilder` list it with this function and
 * the runtime re-derives it at bind time, refusing a blueprint whose list disagrees.
 */
export function blueprintCapabilities(nodes: readonly NodeSpec[], agents: readonly AgentSpec[], state: readonly FieldSpec[], local: LocalNames): Capabilities {
  // One set per kind, filled in place (was a grant object per node, then their union, then a copy).
  const sets: MutableGrants = {};
  for (const n of nodes) addNodeGrants(sets, n);
  for (const a of agents) {
    const g = agentGrants(a.name, agents);
    if (g) for (const kind of CAPABILITY_KINDS) for (const n of g[kind] ?? []) add(sets, kind, n);
  }
  // Walk the blueprint's own (few) names, not the file's: per graph, the file's list made
  // a file of many graphs quadratic.
  for (const n of [...(sets.agents ?? [])]) if (local.agents.has(n)) sets.agents!.delete(n);
  for (const n of [...(sets.graphs ?? [])]) if (local.graphs.has(n)) sets.graphs!.delete(n);
  for (const f of state) {
    add(sets, "reducers", f.reducer.name);
    add(sets, "reducers", f.reducer.fn);
  }
  return {
    models: sorted(sets.models),
    tools: sorted(sets.tools),
    agents: sorted(sets.agents),
    graphs: sorted(sets.graphs),
    scripts: sorted(sets.scripts),
    routers: sorted(sets.routers),
    reducers: sorted(sets.reducers),
    validators: sorted(sets.validators),
    ...(sets.nodeKinds?.size ? { nodeKinds: sorted(sets.nodeKinds) } : {}),
  };
}

function sorted(set: ReadonlySet<string> | undefined): string[] {
  return set ? [...set].sort() : [];
}
