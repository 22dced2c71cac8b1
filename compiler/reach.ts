/**
 * What a blueprint can reach through the registered agents and graphs it binds: the
 * model and tools of each registered agent, and everything a registered graph binds in
 * turn — decided by the functions the runtime decides with (`grants.ts`): a reached graph
 * is held to the limits `childRunLimits` derives from the node that runs it (the caller's
 * `allow` lists and inherited limits, a `repl_agent`'s grants, and the policy's
 * `untrustedAllow` when the caller is generated), it binds only when `bindRefusals` finds
 * nothing, and each use is one `authorize` call. `rag approve` and the studio's review
 * panel show it beside `Blueprint.capabilities`, so a reviewer sees what a run can use —
 * and, as `refused`, the registered graphs the run cannot start (red team 11: a generated
 * graph's registered subgraph ran a tool `untrustedAllow` forbids while the listing,
 * judging the subgraph's tools by the caller's provenance, left it out).
 */
import type { Blueprint, NodeSpec } from "./blueprint.js";
import { agentGrants, allowLimit, authorize, bindRefusals, childRunLimits, nodeGrants, type AgentBindingLookup, type BindRefusal, type GrantLimit } from "./grants.js";
import { CAPABILITY_KINDS, type CapabilityKind, type PolicyView } from "./policy-view.js";

/** One capability reached indirectly, with the path that reaches it ("agent `r`", "graph `g` → agent `r`"). */
export interface IndirectCapability {
  readonly via: string;
  readonly kind: CapabilityKind;
  readonly name: string;
}

/** A registered graph a run would start but cannot: it uses what its limits or the policy refuse. */
export interface RefusedGraph {
  /** The path that reaches it ("graph `admin`", "graph `g` → graph `admin`"). */
  readonly via: string;
  readonly graph: string;
  /** Each capability refused, as the runtime's bind check words it. */
  readonly refusals: readonly BindRefusal[];
}

/** What `bp` reaches (`reaches`) and which reached graphs cannot run (`refused`). */
export interface ReachReport {
  readonly reaches: IndirectCapability[];
  readonly refused: RefusedGraph[];
  /** True when the walk stopped at `MAX_REACH_VISITS` graphs: `reaches` may be incomplete. */
  readonly truncated: boolean;
}

export interface ReachLookup {
  /** A registered agent's binding, or undefined. */
  readonly agent: AgentBindingLookup;
  /** A registered graph's blueprint, or undefined. */
  readonly graph: (name: string) => Blueprint | undefined;
  readonly policy?: PolicyView;
  /** The registry's node kind names (`Registry.nodeKinds`): what a `repl_agent`'s graphs may run (`childRunLimits` `registryKinds`). Absent: none. */
  readonly nodeKinds?: () => Iterable<string>;
}

/** Most (graph, limits) pairs one walk visits; a graph reached under the same limits again is not walked again. */
export const MAX_REACH_VISITS = 2_000;

/**
 * Capabilities `bp` reaches through registered agents and graphs (not its own bindings,
 * which are `bp.capabilities`). See `reachReport`.
 */
export function indirectCapabilities(bp: Blueprint, lookup: ReachLookup): IndirectCapability[] {
  return reachReport(bp, lookup).reaches;
}

/**
 * What `bp` reaches through registered agents and graphs, as the runtime would allow it
 * (module comment), and the registered graphs it would start but the runtime refuses to
 * bind. Each registered graph is walked once per set of limits it is reached under (the
 * limits differ per calling node), at most `MAX_REACH_VISITS` times; reducers and
 * validators of nested graphs are judged for binding but not listed (they are the nested
 * graph's own data). Same-file graphs are not followed (each is reviewed as a blueprint
 * of its own).
 */
export function reachReport(bp: Blueprint, lookup: ReachLookup): ReachReport {
  const reaches: IndirectCapability[] = [];
  const refused: RefusedGraph[] = [];
  const listed = new Set<string>();
  const seen = new Set<string>();
  let truncated = false;
  const policy = lookup.policy;
  const push = (via: string, kind: CapabilityKind, name: string) => {
    const key = `${via}\u0000${kind}\u0000${name}`;
    if (listed.has(key)) return;
    listed.add(key);
    reaches.push({ via, kind, name });
  };
  // `inherited`: the limits `b` was started under; its run's limits are its own `allow` lists, then those (RunAuthority).
  const visit = (b: Blueprint, inherited: readonly GrantLimit[], path: string) => {
    const own = allowLimit(b.id, b.allow);
    const limits = own ? [own, ...inherited] : inherited;
    for (const agent of b.capabilities.agents) {
      const grants = agentGrants(agent, [], lookup.agent);
      if (!grants) continue;
      const via = `${path}agent \`${agent}\``;
      for (const kind of CAPABILITY_KINDS) {
        for (const name of grants[kind] ?? []) {
          const d = authorize({ kind, name, caller: "agent_loop" }, { owner: via, grants, limits, ...(policy ? { policy } : {}), ...(b.provenance ? { provenance: b.provenance } : {}) });
          if (d.allowed) push(via, kind, name);
        }
      }
    }
    const registered = new Set(b.capabilities.graphs);
    for (const node of b.nodes) {
      for (const graph of nodeGrants(node).graphs ?? []) {
        if (!registered.has(graph)) continue;
        const child = lookup.graph(graph);
        if (!child) continue;
        const childLimits = callerLimits(b, limits, node, lookup);
        const key = `${child.hash}\u0000${limitsKey(childLimits)}`;
        if (seen.has(key)) continue;
        if (seen.size >= MAX_REACH_VISITS) {
          truncated = true;
          return;
        }
        seen.add(key);
        const via = `${path}graph \`${graph}\``;
        const childOwn = allowLimit(child.id, child.allow);
        const bindLimits = childOwn ? [childOwn, ...childLimits] : childLimits;
        const no = bindRefusals(child, bindLimits, policy);
        if (no.length) {
          if (!refused.some((r) => r.via === via)) refused.push({ via, graph, refusals: no });
          continue;
        }
        for (const kind of CAPABILITY_KINDS) {
          if (kind === "reducers" || kind === "validators") continue;
          for (const name of (child.capabilities as Partial<Record<CapabilityKind, readonly string[]>>)[kind] ?? []) push(via, kind, name);
        }
        visit(child, childLimits, `${via} → `);
      }
    }
  };
  visit(bp, [], "");
  return { reaches, refused, truncated };
}

/** The limits a run started by `node` of `b` gets: `childRunLimits`, as `RunAuthority.childLimits`. */
function callerLimits(b: Blueprint, limits: readonly GrantLimit[], node: NodeSpec, lookup: ReachLookup): readonly GrantLimit[] {
  return childRunLimits({
    graph: b.id,
    limits,
    ...(lookup.policy ? { policy: lookup.policy } : {}),
    ...(b.provenance ? { provenance: b.provenance } : {}),
    ...(node.kind === "repl_agent" ? { node, ...(lookup.nodeKinds ? { registryKinds: lookup.nodeKinds() } : {}) } : {}),
    inlineAgents: b.agents,
    registeredAgents: lookup.agent,
  });
}

function limitsKey(limits: readonly GrantLimit[]): string {
  return JSON.stringify(limits.map((l) => [l.source, CAPABILITY_KINDS.map((k) => l.allow[k] ?? null)]));
}
