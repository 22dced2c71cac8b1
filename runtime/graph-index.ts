/**
 * Precomputed lookups over a blueprint for planning (`GraphIndex`: nodes, outgoing edges,
 * barriers, route choices), and `endsBranch`, the static question the step loop asks of
 * them for in-step cancellation.
 */
import type { Blueprint, EdgeSpec, NodeSpec } from "../compiler/index.js";
import type { PlannedTask, PlannerState } from "./planner-state.js";

/** Precomputed lookups over a blueprint. */
export class GraphIndex {
  readonly nodes = new Map<string, NodeSpec>();
  readonly out = new Map<string, EdgeSpec[]>();
  /** Barrier indexes by source node. */
  readonly barriersBySource = new Map<string, number[]>();
  /** Barrier target → its sources (suppresses plain edges from those sources). */
  readonly barrierTargets = new Map<string, Set<string>>();
  /** True when some node is `defer true` (planning then holds their tasks). */
  readonly deferring: boolean;
  /** Per node: its `route` edges and its `when`/`else` edges, in order (made on first use). */
  private readonly choices = new Map<string, { readonly labelled: readonly Extract<EdgeSpec, { kind: "route" }>[]; readonly conditional: readonly EdgeSpec[] }>();

  constructor(readonly blueprint: Blueprint) {
    for (const n of blueprint.nodes) this.nodes.set(n.name, n);
    this.deferring = blueprint.nodes.some((n) => n.defer);
    for (const e of blueprint.edges) {
      const list = this.out.get(e.from);
      if (list) list.push(e);
      else this.out.set(e.from, [e]);
    }
    blueprint.barriers.forEach((b, i) => {
      for (const s of b.sources) {
        const l = this.barriersBySource.get(s);
        if (l) l.push(i);
        else this.barriersBySource.set(s, [i]);
      }
      const t = this.barrierTargets.get(b.target) ?? new Set<string>();
      for (const s of b.sources) t.add(s);
      this.barrierTargets.set(b.target, t);
    });
  }

  /** The node's `route` edges and `when`/`else` edges (planning reads them every time the node completes). */
  choicesOf(node: string): { readonly labelled: readonly Extract<EdgeSpec, { kind: "route" }>[]; readonly conditional: readonly EdgeSpec[] } {
    let c = this.choices.get(node);
    if (!c) {
      const edges = this.out.get(node) ?? [];
      c = { labelled: edges.filter((e): e is Extract<EdgeSpec, { kind: "route" }> => e.kind === "route"), conditional: edges.filter((e) => e.kind === "when" || e.kind === "else") };
      this.choices.set(node, c);
    }
    return c;
  }
}

/**
 * True when a successful task certainly ends its branch: it sends nothing, arrives at no
 * barrier, and every successor it activates is END or its fan-out's join node. Used for
 * in-step cancellation; conditional (`when`) routes read the state after the barrier,
 * so a node with them never counts here (its branch ends at planning time instead).
 */
export function endsBranch(index: GraphIndex, planner: PlannerState, t: PlannedTask, route: string | undefined): boolean {
  if (t.implicit) return true;
  const spec = index.nodes.get(t.node);
  if (!spec || spec.sends?.length || index.barriersBySource.has(t.node)) return false;
  const join = t.branch ? planner.fanouts[t.branch.fanoutId]?.join?.target : undefined;
  for (const e of index.out.get(t.node) ?? []) {
    if (e.kind === "when" || e.kind === "else") return false;
    if (e.kind === "route" && e.label !== route) continue;
    if (e.to !== "END" && e.to !== join) return false;
  }
  return true;
}
