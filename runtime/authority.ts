/**
 * The runtime side of the one authorisation check (`compiler/grants.ts`): a run's
 * `RunAuthority` builds the scope of each node (its binding, the graph's `allow` lists,
 * the limits inherited from an enclosing run or session, the registry's policy and the
 * blueprint's provenance) and of each agent a node runs, and answers every capability
 * use of the run's tasks with `authorize`. Scopes are made once per node and agent.
 */
import type { Blueprint, CallerKind, CapabilityKind, Decision, GrantLimit, Grants, NodeSpec } from "../compiler/index.js";
import { agentGrants, allowLimit, authorize, childRunLimits, nodeGrants, unionGrants, type AuthScope } from "../compiler/index.js";
import type { Registry } from "../registry/index.js";

/** The caller kind of a node's own uses: its node kind. */
function callerOf(spec: NodeSpec): CallerKind {
  const k = spec.kind;
  return k === "model" || k === "agent" || k === "tool_executor" || k === "tool" || k === "router" || k === "subagent" || k === "subgraph" || k === "repl_agent" ? k : "node";
}

export class RunAuthority {
  /** Limits of this run: inherited ones, then the graph's own `allow` lists. */
  readonly limits: readonly GrantLimit[];
  private readonly local: { readonly agents: ReadonlySet<string>; readonly graphs: ReadonlySet<string> };
  private readonly nodeScopes = new Map<string, AuthScope>();
  private readonly agentScopes = new Map<string, AuthScope | undefined>();
  private readonly successorSets = new Map<string, ReadonlySet<string>>();
  /** `childLimits` by calling node (`""`: no node), made once: child graphs are cached by this list's identity. */
  private readonly childLimitSets = new Map<string, readonly GrantLimit[]>();

  /**
   * @param inherited limits of the enclosing run or session (outermost first), none for a root run.
   * @param localGraphs names of same-file graphs the run may call as subgraphs.
   */
  constructor(
    readonly blueprint: Blueprint,
    readonly registry: Registry,
    inherited: readonly GrantLimit[] = [],
    localGraphs: Iterable<string> = [],
  ) {
    const own = allowLimit(blueprint.id, blueprint.allow);
    this.limits = own ? [own, ...inherited] : inherited;
    // Only graphs the host handed over are same-file graphs (see `checkCapabilities`): another name resolves from the registry.
    this.local = { agents: new Set(blueprint.agents.map((a) => a.name)), graphs: new Set(localGraphs) };
  }

  private base(owner: string, grants: Grants): AuthScope {
    const bp = this.blueprint;
    return { owner, grants, limits: this.limits, local: this.local, ...(this.registry.policy ? { policy: this.registry.policy } : {}), ...(bp.provenance ? { provenance: bp.provenance } : {}) };
  }

  /** The scope of node `spec` (its own binding). */
  nodeScope(spec: NodeSpec): AuthScope {
    let s = this.nodeScopes.get(spec.name);
    if (!s) {
      s = this.base(`node \`${spec.name}\` of graph \`${this.blueprint.id}\``, nodeGrants(spec));
      this.nodeScopes.set(spec.name, s);
    }
    return s;
  }

  /**
   * The scope of agent `agent` run by node `spec`: the agent's binding (inline block or
   * registration) plus the node's own `model` (an extra model binding on subagent
   * nodes, `language.md` §6). Undefined when no such agent exists.
   */
  agentScope(spec: NodeSpec, agent: string): AuthScope | undefined {
    const key = `${spec.name}\u0000${agent}`;
    if (this.agentScopes.has(key)) return this.agentScopes.get(key);
    const registered = (name: string) => this.registry.agents.get(name);
    const g = agentGrants(agent, this.blueprint.agents, registered);
    const s = g ? this.base(`agent \`${agent}\` (node \`${spec.name}\`)`, spec.model ? unionGrants(g, { models: new Set([spec.model]) }) : g) : undefined;
    this.agentScopes.set(key, s);
    return s;
  }

  /**
   * Whether node `spec` (or agent `agent` it runs) may use `kind NAME`. Acting as an
   * agent needs the node to bind that agent first.
   */
  check(spec: NodeSpec, kind: CapabilityKind, name: string, options: { readonly agent?: string; readonly caller?: CallerKind } = {}): Decision {
    const scope = this.nodeScope(spec);
    const agent = options.agent;
    if (agent === undefined) return authorize({ kind, name, caller: options.caller ?? callerOf(spec) }, scope);
    const asAgent = authorize({ kind: "agents", name: agent, caller: options.caller ?? callerOf(spec) }, scope);
    if (!asAgent.allowed) return asAgent;
    const inner = this.agentScope(spec, agent);
    if (!inner) return { allowed: false, rule: "not-granted", reason: `agent \`${agent}\` is neither an agent of the file nor registered` };
    return authorize({ kind, name, caller: options.caller ?? "agent_loop" }, inner);
  }

  /**
   * Whether a `goto` chosen at run time by a tool's Command (`ToolCommand`) may reach node
   * `target` from node `spec`. Nodes are no registry capabilities, so the grant is the
   * blueprint's own drawing: a tool may send control only where the blueprint already
   * lets the node go — its edges (`next`, `routes`, `when`/`else`, `command goto`, top-level
   * edges), its `on_error` target, the targets of its `send`s and the barriers it feeds —
   * or to `END` (LangGraph draws a tool node's Command targets with `ends`; here they are
   * enforced). For `graph: "PARENT"` the parent's run asks with its subgraph node.
   */
  checkGoto(spec: NodeSpec, target: string): Decision {
    if (target === "END") return { allowed: true };
    let set = this.successorSets.get(spec.name);
    if (!set) {
      const s = new Set<string>();
      for (const e of this.blueprint.edges) if (e.from === spec.name) s.add(e.to);
      for (const b of this.blueprint.barriers) if (b.sources.includes(spec.name)) s.add(b.target);
      for (const x of spec.sends ?? []) if (x.targetKind === "node") s.add(x.target);
      if (spec.command?.goto !== undefined && spec.command.graph !== "parent") s.add(spec.command.goto);
      if (spec.onError !== undefined) s.add(spec.onError);
      if (spec.join) s.add(spec.join.target);
      s.delete("END");
      set = s;
      this.successorSets.set(spec.name, set);
    }
    if (set.has(target)) return { allowed: true };
    const have = set.size ? [...set].sort().map((n) => `\`${n}\``).join(", ") : "none";
    return { allowed: false, rule: "not-granted", reason: `node \`${target}\` is not a successor graph \`${this.blueprint.id}\` draws from node \`${spec.name}\`, so a tool's command cannot go there (successors: ${have})` };
  }

  /**
   * Limits for runs a task of node `spec` starts (subgraph nodes, sends to a graph,
   * `task.runGraph`, a CodeAct session's graphs): `childRunLimits` (compiler/grants.ts),
   * the rule `rag approve`'s reach listing applies too — this run's limits; for a node
   * that hosts a session (`repl_agent`) the node's own grants and those of the agents it
   * binds; and, when this blueprint is untrusted, the policy's `untrustedAllow` lists. The
   * same list (by identity) for the same node.
   */
  childLimits(spec?: NodeSpec): readonly GrantLimit[] {
    const key = spec?.kind === "repl_agent" ? `node:${spec.name}` : "";
    let l = this.childLimitSets.get(key);
    if (!l) {
      const bp = this.blueprint;
      const policy = this.registry.policy;
      l = childRunLimits({
        graph: bp.id,
        limits: this.limits,
        ...(policy ? { policy } : {}),
        ...(bp.provenance ? { provenance: bp.provenance } : {}),
        ...(spec?.kind === "repl_agent" ? { node: spec, registryKinds: this.registry.nodeKinds.keys() } : {}),
        inlineAgents: bp.agents,
        registeredAgents: (n) => this.registry.agents.get(n),
      });
      this.childLimitSets.set(key, l);
    }
    return l;
  }
}
