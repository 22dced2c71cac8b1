/**
 * Where a completed node goes next (`runtime.md` §1 step 6): its static edges, `goto`
 * edges, the route label it chose or the first true `when`/`else`, and the barriers it
 * arrives at (returning the targets of those it completed).
 */
import type { NodeSpec } from "../compiler/index.js";
import type { RunEventBody } from "./events.js";
import { NodeError } from "./errors.js";
import { conditionShared, sharedBudget } from "./expr.js";
import type { Completion, PlannedTask, PlannerState } from "./planner-state.js";
import { activation, type Activation, type PlanContext } from "./planning.js";

/** Targets of a completed node: static edges, `goto`, the chosen route or the first true `when`. */
export function successors(spec: NodeSpec, t: PlannedTask, c: Completion, ctx: PlanContext, events: RunEventBody[]): Activation[] {
  const edges = ctx.index.out.get(spec.name) ?? [];
  const out: Activation[] = [];
  const routeEvents = ctx.wants?.("route_selected") ?? true;
  for (const e of edges) {
    if (e.kind === "static" && !(ctx.index.barrierTargets.get(e.to)?.has(spec.name) ?? false)) out.push(activation(e.to, "edge", spec.name, t.branch));
    if (e.kind === "goto") {
      out.push(activation(e.to, "goto", spec.name, t.branch));
      if (routeEvents) events.push({ type: "route_selected", from: spec.name, via: "goto", targets: [e.to] });
    }
  }
  const { labelled, conditional } = ctx.index.choicesOf(spec.name);
  if (c.route !== undefined) {
    const at = out.length;
    for (const e of labelled) if (e.label === c.route) out.push(activation(e.to, "route", spec.name, t.branch));
    if (out.length === at) {
      throw new NodeError(`node \`${spec.name}\` chose route \`${c.route}\`, which it does not declare (declared: ${labelled.map((e) => `\`${e.label}\``).join(", ") || "none"})`, "permanent", { graph: ctx.index.blueprint.id, node: spec.name, taskId: t.id, step: ctx.step });
    }
    if (routeEvents) events.push({ type: "route_selected", from: spec.name, via: "route", label: c.route, targets: out.slice(at).map((a) => a.node) });
  } else if (conditional.length) {
    const scope = ctx.scope(t, c.result);
    // The node's conditions share one budget (`SHARED_EXPR_BUDGET`), as its writes do (red team 13A).
    const shared = sharedBudget(`the \`when\` routes of node \`${spec.name}\``);
    const chosen = conditional.find((e) => e.kind === "else" || (e.kind === "when" && conditionShared(e.when, scope, shared)));
    if (chosen) {
      if (routeEvents) events.push({ type: "route_selected", from: spec.name, via: chosen.kind === "else" ? "else" : "when", targets: [chosen.to] });
      out.push(activation(chosen.to, "route", spec.name, t.branch));
    } else if (routeEvents && !out.length) {
      // No `when` held and there is no `else` (`W-rag-routes-without-else`): the branch ends here, and says why.
      events.push({ type: "route_selected", from: spec.name, via: "none", targets: [] });
    }
  } else if (labelled.length) {
    throw new NodeError(`node \`${spec.name}\` has routes but chose none (declared: ${labelled.map((e) => `\`${e.label}\``).join(", ")})`, "permanent", { graph: ctx.index.blueprint.id, node: spec.name, taskId: t.id, step: ctx.step });
  }
  return out;
}

/** Barrier arrivals of a completed task; returns the targets of barriers it completed. */
export function arrivals(planner: PlannerState, t: PlannedTask, ctx: PlanContext, events: RunEventBody[]): Activation[] {
  const out: Activation[] = [];
  for (const i of ctx.index.barriersBySource.get(t.node) ?? []) {
    const b = ctx.index.blueprint.barriers[i];
    const arrived = (planner.arrivals[i] ??= []);
    if (!arrived.includes(t.node)) arrived.push(t.node);
    if (b.sources.every((s) => arrived.includes(s))) {
      planner.arrivals[i] = [];
      events.push({ type: "barrier_released", target: b.target, sources: [...b.sources] });
      out.push({ node: b.target, trigger: "barrier", from: t.node, ...(t.branch ? { branch: t.branch } : {}) });
    }
  }
  return out;
}
