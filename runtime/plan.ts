/**
 * Planning the next superstep (`runtime.md` §1 step 6, §2): static edges, chosen route
 * labels, `when`/`else` conditions, `command goto`, Send packets (one task each, never
 * deduplicated), barriers whose sources have all arrived, and joins whose fan-out has
 * ended. Plain activations of one node in one step are deduplicated, across branches too.
 *
 * This module holds `plan` itself, `defer true` holding and fan-out settlement; the
 * planner's state lives in planner-state.ts, the blueprint lookups in graph-index.ts,
 * one plan's bookkeeping in planning.ts, successors in plan-successors.ts and Send
 * fan-outs in plan-sends.ts. The names it always exported are re-exported from here.
 */
import { NodeError } from "./errors.js";
import type { RunEventBody } from "./events.js";
import type { GraphIndex } from "./graph-index.js";
import { dispatchSends, runtimeGoto } from "./plan-sends.js";
import { arrivals, successors } from "./plan-successors.js";
import { branchAlive, type Completion, type FanoutState, type PlannedTask, type PlannerState, type PlanOutput } from "./planner-state.js";
import { Planning, type Activation, type PlanContext } from "./planning.js";

export { GraphIndex, endsBranch } from "./graph-index.js";
export { clonePlanner, isOpenQuorum, newPlannerState, quorumNeed, snapshotPlanner, type BranchRef, type Completion, type FanoutState, type PlannedTask, type PlannerState, type PlanOutput } from "./planner-state.js";
export type { PlanContext } from "./planning.js";

/**
 * Plans the next superstep from this step's completions (in task order). Mutates
 * `planner` (the run's planner state). Throws NodeError when a node chose a route
 * label it does not declare.
 */
export function plan(planner: PlannerState, completions: readonly Completion[], ctx: PlanContext): PlanOutput {
  // Fan-outs released by an earlier plan are done: tasks still naming them are dead
  // (`branchAlive` treats a missing fan-out as ended), so drop them to keep the planner
  // state (and every checkpoint) small in long runs.
  for (const id in planner.fanouts) {
    const f = planner.fanouts[id];
    if (f.released || (f.parent && !branchAlive(planner, f.parent))) delete planner.fanouts[id];
  }
  const p = new Planning(ctx.packets);
  try {
    return planWith(planner, completions, ctx, p);
  } catch (e) {
    // The run stops (or, a child run, fails its calling task): nothing planned will run.
    p.refund();
    throw e;
  }
}

/** `plan`'s body, charging the run tree's Send packets through `p`. */
function planWith(planner: PlannerState, completions: readonly Completion[], ctx: PlanContext, p: Planning): PlanOutput {
  const { events, tasks, touched } = p;

  for (const c of completions) {
    const t = c.task;
    p.bump(t.branch, -1);
    if (t.branch) {
      const f = planner.fanouts[t.branch.fanoutId];
      if (f && !touched.includes(f)) touched.push(f);
      if (f && !c.ok) f.failed[t.branch.index] = true;
    }
    if (c.cancelled) continue;
    const spec = t.implicit ? undefined : ctx.index.nodes.get(t.node);
    // `successors` returns a new list: the other activations join it.
    let activations: Activation[];
    if (!c.ok) {
      activations = [];
      if (spec?.onError) {
        activations.push({ node: spec.onError, trigger: "error", from: t.node, branch: t.branch, args: { error: c.error } });
        if (ctx.wants?.("route_selected") ?? true) events.push({ type: "route_selected", from: t.node, via: "error", targets: [spec.onError] });
      }
    } else {
      if (spec) {
        activations = successors(spec, t, c, ctx, events);
        dispatchSends(planner, spec, t, c, ctx, p);
      } else activations = [];
      if (c.goto?.length) activations.push(...runtimeGoto(planner, t, c.goto, ctx, p));
      if (ctx.index.barriersBySource.has(t.node)) activations.push(...arrivals(planner, t, ctx, events));
    }
    for (const a of activations) {
      if (a.node === "END") continue;
      const f = t.branch ? planner.fanouts[t.branch.fanoutId] : undefined;
      if (f?.join && a.branch === t.branch && a.node === f.join.target && a.trigger !== "barrier") continue; // the branch reached its join
      // Built by assignment in the key order a literal with conditional spreads had (no spread: one plan per superstep).
      const task: { -readonly [K in keyof Omit<PlannedTask, "id">]: Omit<PlannedTask, "id">[K] } = { node: a.node, trigger: a.trigger };
      if (a.from) task.from = a.from;
      if (a.branch) task.branch = a.branch;
      if (a.args !== undefined) task.args = a.args;
      if (p.add(task)) p.bump(a.branch, 1);
    }
  }

  if (p.delta) {
    for (const [k, d] of p.delta) {
      const [fid, idx] = k.split("#");
      const f = planner.fanouts[fid];
      if (f) f.live[Number(idx)] += d;
    }
  }
  settle(planner, touched, events, p);

  // Tasks of branches cancelled by a `wait first|N` release never run, nor do tasks
  // of fan-outs nested inside a cancelled branch.
  let live = tasks.every((t) => t.branch === undefined) ? tasks : tasks.filter((t) => branchAlive(planner, t.branch));
  if (ctx.index.deferring) live = holdDeferred(planner, live, ctx.index);
  // Object.assign: a key added after a spread in a literal costs ~1 µs in Node 20's V8.
  const out = new Array<PlannedTask>(live.length);
  for (let i = 0; i < live.length; i++) {
    // `id` assigned after the copy: the key order of a second source, without one per task.
    const t = Object.assign({}, live[i]) as { -readonly [K in keyof PlannedTask]: PlannedTask[K] };
    t.id = ctx.taskId(i);
    out[i] = t;
  }
  return p.sendPackets ? { tasks: out, events, packets: p.sendPackets, packetBytes: p.sendBytes } : { tasks: out, events };
}

/**
 * `defer true` (LangGraph's `defer`, its `*AfterFinish` channels): a deferred node's task
 * (not a Send's) is held while other tasks are planned, and released once a step would
 * otherwise plan none. Held tasks of the same node outside any fan-out run once.
 */
function holdDeferred(planner: PlannerState, live: Omit<PlannedTask, "id">[], index: GraphIndex): Omit<PlannedTask, "id">[] {
  const now: Omit<PlannedTask, "id">[] = [];
  const held = planner.deferred ?? [];
  for (const t of live) {
    if (t.implicit || t.trigger === "send" || !index.nodes.get(t.node)?.defer) now.push(t);
    else if (t.branch || !held.some((h) => h.node === t.node && !h.branch)) held.push(t);
  }
  const alive = held.filter((t) => branchAlive(planner, t.branch));
  if (now.length) {
    if (alive.length) planner.deferred = alive;
    else delete planner.deferred;
    return now;
  }
  delete planner.deferred;
  return alive;
}

/**
 * Marks branches with no live work as ended and releases fan-outs whose wait policy is
 * met, cascading into parent branches.
 */
function settle(planner: PlannerState, touched: FanoutState[], events: RunEventBody[], planning: Planning): void {
  const work = [...touched];
  while (work.length) {
    const f = work.shift()!;
    if (f.released) continue;
    f.live.forEach((n, i) => {
      if (n <= 0) f.ended[i] = true;
    });
    const total = f.live.length;
    const ended = f.ended.filter(Boolean).length;
    const succeeded = f.ended.filter((e, i) => e && !f.failed[i]).length;
    const quorum = f.join?.wait === "first" || typeof f.join?.wait === "number";
    const need = f.join?.wait === "first" ? 1 : typeof f.join?.wait === "number" ? Math.min(f.join.wait, total) : total;
    if (quorum && succeeded + (total - ended) < need) {
      throw new NodeError(
        `the join of fan-out ${f.id} (node \`${f.node}\`, wait ${f.join!.wait}) can no longer be satisfied: ${need} successful branch${need === 1 ? "" : "es"} needed, ${succeeded} succeeded and ${total - ended} still running of ${total}`,
        "permanent",
        { node: f.node },
      );
    }
    const done = quorum ? succeeded >= need : ended === total;
    if (!done) continue;
    f.released = true;
    for (let i = 0; i < total; i++) {
      if (!f.ended[i]) {
        f.ended[i] = true; // cancelled by `wait first|N`
        f.live[i] = 0;
      }
    }
    if (f.join) {
      events.push({ type: "join_released", fanoutId: f.id, target: f.join.target, branches: total, succeeded });
      const added = planning.add({ node: f.join.target, trigger: "join", from: f.node, ...(f.parent ? { branch: f.parent } : {}) });
      const p = f.parent ? planner.fanouts[f.parent.fanoutId] : undefined;
      if (added && p) p.live[f.parent!.index] += 1;
    }
    const p = f.parent ? planner.fanouts[f.parent.fanoutId] : undefined;
    if (p) {
      p.live[f.parent!.index] -= 1;
      work.push(p);
    }
  }
}
