/**
 * What a blueprint can reach through the registered agents and graphs it binds: the
 * model and tools of each registered agent, and everything a registered graph binds in
 * turn, each kept only when the one authorisation decision (`grants.ts` `authorize`)
 * allows it under the blueprint's `allow` lists and the registry policy — the same
 * checks the runtime makes on those paths. `rag approve` and the studio's review panel
 * show it beside `Blueprint.capabilities`, so a reviewer sees everything a run can use.
 */
import type { Blueprint } from "./blueprint.js";
import { agentGrants, allowLimit, authorize, type AgentBindingLookup, type GrantLimit } from "./grants.js";
import { CAPABILITY_KINDS, type CapabilityKind, type PolicyView } from "./policy-view.js";

/** One capability reached indirectly, with the path that reaches it ("agent `r`", "graph `g` → agent `r`"). */
export interface IndirectCapability {
  readonly via: string;
  readonly kind: CapabilityKind;
  readonly name: string;
}

export interface ReachLookup {
  /** A registered agent's binding, or undefined. */
  readonly agent: AgentBindingLookup;
  /** A registered graph's blueprint, or undefined. */
  readonly graph: (name: string) => Blueprint | undefined;
  readonly policy?: PolicyView;
}

/**
 * Capabilities `bp` reaches through registered agents and graphs (not its own bindings,
 * which are `bp.capabilities`). Bounded: each graph is visited once; reducers and
 * validators of nested graphs are left out (they are the nested graph's own data).
 */
export function indirectCapabilities(bp: Blueprint, lookup: ReachLookup): IndirectCapability[] {
  const out: IndirectCapability[] = [];
  const seen = new Set<string>([bp.hash]);
  const visit = (b: Blueprint, limits: readonly GrantLimit[], path: string) => {
    const own = allowLimit(b.id, b.allow);
    const scoped = own ? [...limits, own] : limits;
    for (const agent of b.capabilities.agents) {
      const grants = agentGrants(agent, [], lookup.agent);
      if (!grants) continue;
      const via = `${path}agent \`${agent}\``;
      for (const kind of CAPABILITY_KINDS) {
        for (const name of grants[kind] ?? []) {
          const d = authorize({ kind, name, caller: "agent_loop" }, { owner: via, grants, limits: scoped, ...(lookup.policy ? { policy: lookup.policy } : {}), ...(bp.provenance ? { provenance: bp.provenance } : {}) });
          if (d.allowed) out.push({ via, kind, name });
        }
      }
    }
    for (const graph of b.capabilities.graphs) {
      const child = lookup.graph(graph);
      if (!child || seen.has(child.hash)) continue;
      seen.add(child.hash);
      const via = `${path}graph \`${graph}\``;
      for (const kind of CAPABILITY_KINDS) {
        if (kind === "reducers" || kind === "validators") continue;
        for (const name of (child.capabilities as Partial<Record<CapabilityKind, readonly string[]>>)[kind] ?? []) {
          const d = authorize({ kind, name, caller: "subgraph" }, { owner: via, grants: { [kind]: new Set([name]) }, limits: scoped, ...(lookup.policy ? { policy: lookup.policy } : {}), ...(bp.provenance ? { provenance: bp.provenance } : {}) });
          if (d.allowed) out.push({ via, kind, name });
        }
      }
      visit(child, scoped, `${via} → `);
    }
  };
  visit(bp, [], "");
  return out;
}
