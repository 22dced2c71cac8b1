/**
 * Planning the next superstep (`runtime.md` §1 step 6, §2): static edges, chosen route
 * labels, `when`/`else` conditions, `command goto`, Send packets (one task each, never
 * deduplicated), barriers whose sources have all arrived, and joins whose fan-out has
 * ended. Plain activations of one node in one step are deduplicated, across branches too.
 *
 * Fan-out tracking: every Send packet starts a branch of a fan-out. Each branch keeps a
 * count of live work in it (scheduled tasks, plus nested fan-outs still open). A task
 * that completes hands its branch to its successors; a branch whose count reaches zero
 * has ended (it reached END, the join node, or had no route). When every branch of a
 * fan-out has ended, its join target is scheduled exactly once, in the parent branch.
 * All of this is plain data (`PlannerState`) so a checkpoint can hold it.
 */
import type { Blueprint, EdgeSpec, NodeSpec, SendSpec } from "../compiler/index.js";
import type { NodeResult, SendCommand } from "../registry/index.js";
import type { RunEventBody, RunEventType } from "./events.js";
import { FanoutLimitError, MAX_SEND_PACKETS, NodeError } from "./errors.js";
import { evaluate, truthy, type Scope } from "./expr.js";
import type { State } from "./state.js";

export interface BranchRef {
  readonly fanoutId: string;
  readonly index: number;
}

/** A task to run in the next superstep (plain data). */
export interface PlannedTask {
  readonly id: string;
  /** Node name, or the agent/graph name of an implicit send target. */
  readonly node: string;
  /** Set for send targets that are not nodes of the graph. */
  readonly implicit?: "agent" | "graph";
  readonly trigger: "start" | "edge" | "route" | "goto" | "send" | "join" | "barrier" | "error";
  readonly from?: string;
  readonly args?: unknown;
  readonly branch?: BranchRef;
  /** Channel that receives the task's result (a send's `-> channel`). */
  readonly into?: string;
  /** The Command a run-time Send packet carried (applied when the task completes). */
  readonly command?: SendCommand;
}

export interface FanoutState {
  readonly id: string;
  readonly node: string;
  readonly parent?: BranchRef;
  readonly join?: { readonly target: string; readonly wait: "all" | "first" | number };
  /** Live work per branch. */
  readonly live: number[];
  readonly ended: boolean[];
  readonly failed: boolean[];
  released: boolean;
}

export interface PlannerState {
  nextFanout: number;
  readonly fanouts: Record<string, FanoutState>;
  /** Arrivals per barrier index since it last released. */
  readonly arrivals: Record<number, string[]>;
  /** Tasks of `defer true` nodes held until no other task is planned (LangGraph's `defer`); absent when none. */
  deferred?: Omit<PlannedTask, "id">[];
}

/** What a completed (or failed, or cancelled) task hands to the planner. */
export interface Completion {
  readonly task: PlannedTask;
  readonly ok: boolean;
  /** Cancelled by a `wait first|N` release within its step: ends its branch without successors. */
  readonly cancelled?: boolean;
  readonly route?: string;
  readonly result?: unknown;
  /** Targets the node chose at run time (`NodeResult.goto`). */
  readonly goto?: NodeResult["goto"];
  readonly error?: Record<string, unknown>;
}

export interface PlanOutput {
  readonly tasks: PlannedTask[];
  readonly events: RunEventBody[];
}

export function newPlannerState(): PlannerState {
  return { nextFanout: 1, fanouts: {}, arrivals: {} };
}

/** Shared by checkpoint snapshots of a planner with no open fan-out and no arrivals (frozen; never a live planner's). */
const NO_FANOUTS: Record<string, FanoutState> = Object.freeze({}) as Record<string, FanoutState>;
const NO_ARRIVALS: Record<number, string[]> = Object.freeze({}) as Record<number, string[]>;

/**
 * A deep copy of planner state that the run may mutate: resuming, forking and
 * `updateState` start a live planner from a checkpoint's with this.
 */
export function clonePlanner(p: PlannerState): PlannerState {
  const fanouts: Record<string, FanoutState> = {};
  for (const [id, f] of Object.entries(p.fanouts)) fanouts[id] = { ...f, live: [...f.live], ended: [...f.ended], failed: [...f.failed] };
  const arrivals: Record<number, string[]> = {};
  for (const [k, v] of Object.entries(p.arrivals)) arrivals[Number(k)] = [...v];
  if (p.deferred?.length) return { nextFanout: p.nextFanout, fanouts, arrivals, deferred: [...p.deferred] };
  return { nextFanout: p.nextFanout, fanouts, arrivals };
}

/**
 * The planner state a checkpoint keeps: a deep copy (the run goes on mutating its own)
 * that nobody mutates. A planner with nothing open, the state of most supersteps,
 * snapshots to an object sharing frozen empty maps: one allocation per checkpoint
 * instead of three. Never hand a snapshot to `plan`; `clonePlanner` it first.
 */
export function snapshotPlanner(p: PlannerState): PlannerState {
  if (isEmptyRecord(p.fanouts) && isEmptyRecord(p.arrivals) && !p.deferred?.length) return { nextFanout: p.nextFanout, fanouts: NO_FANOUTS, arrivals: NO_ARRIVALS };
  return clonePlanner(p);
}

function isEmptyRecord(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

const branchKey = (b: BranchRef | undefined) => (b ? `${b.fanoutId}#${b.index}` : "");

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

interface Activation {
  readonly node: string;
  readonly trigger: PlannedTask["trigger"];
  readonly from?: string;
  readonly branch?: BranchRef;
  readonly args?: unknown;
}

export interface PlanContext {
  readonly index: GraphIndex;
  readonly state: State;
  readonly scope: (task: PlannedTask, result: unknown) => Scope;
  readonly step: number;
  /** Task id for the `i`-th task of the next step. */
  readonly taskId: (i: number) => string;
  /**
   * Whether anyone consumes events of this type: the plan's events (`route_selected`, …)
   * of other types are not built. Every event is built when absent.
   */
  readonly wants?: (type: RunEventType) => boolean;
  /** Most Send packets one task may dispatch (`RunOptions.maxSendPackets`); default `MAX_SEND_PACKETS`. */
  readonly maxSendPackets?: number;
}

/** The next step's tasks as they are being planned (one object per plan, no closures). */
class Planning {
  readonly events: RunEventBody[] = [];
  /** Tasks without ids yet (ids follow the order of the tasks that stay live). */
  readonly tasks: Omit<PlannedTask, "id">[] = [];
  readonly touched: FanoutState[] = [];
  /** Live-work changes per branch key (made when a branch is first bumped: most steps run outside any fan-out). */
  delta: Map<string, number> | undefined;
  /** Index in `tasks` of each node scheduled by a plain activation (joins: per node and branch); made on the second. */
  private seen: Map<string, number> | undefined;
  /** The key of the first plain activation, while it is the only one (a step of one task needs no map). */
  private firstKey: string | undefined;

  /** Changes the live work of branch `b` by `n`. */
  bump(b: BranchRef | undefined, n: number): void {
    if (!b) return;
    const k = branchKey(b);
    const delta = (this.delta ??= new Map());
    delta.set(k, (delta.get(k) ?? 0) + n);
  }

  private seenAt(key: string): number | undefined {
    if (this.seen) return this.seen.get(key);
    return this.firstKey === key ? 0 : undefined;
  }

  private markSeen(key: string, at: number): void {
    if (this.seen) this.seen.set(key, at);
    else if (this.firstKey === undefined && at === 0) this.firstKey = key;
    else {
      this.seen = new Map();
      if (this.firstKey !== undefined) this.seen.set(this.firstKey, 0);
      this.seen.set(key, at);
    }
  }

  /**
   * Schedules a plain activation unless the same node is already scheduled this step
   * (Pregel: a node's triggers are consumed once per superstep, whichever branches fired
   * them — LangGraph's fan-in). The task stays in the branch that activated it first;
   * an activation outside any branch takes it over, so that work the top level waits for
   * never depends on a branch that a `wait first|N` join may cancel. Returns true when
   * the activation counts as live work of `t.branch`.
   */
  add(t: Omit<PlannedTask, "id">): boolean {
    // A join is its fan-out's own barrier ("runs once per fan-out"): nested fan-outs
    // releasing the same join node in one step each get their run, in their parent branch.
    const key = t.trigger === "join" ? `join:${t.node}@${branchKey(t.branch)}` : t.node;
    const at = this.seenAt(key);
    if (at === undefined) {
      this.markSeen(key, this.tasks.length);
      this.tasks.push(t);
      return true;
    }
    const old = this.tasks[at];
    if (t.branch || !old.branch) return false;
    this.bump(old.branch, -1);
    this.tasks[at] = Object.assign({}, old, { branch: undefined });
    delete (this.tasks[at] as { branch?: BranchRef }).branch;
    return true;
  }
}

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
  const p = new Planning();
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
  return { tasks: out, events };
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

/** Successful branches a fan-out's join waits for. */
export function quorumNeed(f: FanoutState): number {
  const total = f.live.length;
  return f.join?.wait === "first" ? 1 : typeof f.join?.wait === "number" ? Math.min(f.join.wait, total) : total;
}

/** True for an open fan-out whose join releases on a quorum (`wait first|N`): its losing branches get cancelled. */
export function isOpenQuorum(f: FanoutState | undefined): f is FanoutState {
  return Boolean(f && !f.released && f.join && f.join.wait !== "all");
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

function branchAlive(planner: PlannerState, b: BranchRef | undefined): boolean {
  for (let cur = b; cur; cur = planner.fanouts[cur.fanoutId]?.parent) {
    const f = planner.fanouts[cur.fanoutId];
    if (!f || (f.ended[cur.index] && f.live[cur.index] <= 0)) return false;
  }
  return true;
}

/** An activation of `node` (with `branch` only when there is one: the shape the planner always made). */
function activation(node: string, trigger: Activation["trigger"], from: string, branch: BranchRef | undefined): Activation {
  return branch ? { node, trigger, from, branch } : { node, trigger, from };
}

/** Targets of a completed node: static edges, `goto`, the chosen route or the first true `when`. */
function successors(spec: NodeSpec, t: PlannedTask, c: Completion, ctx: PlanContext, events: RunEventBody[]): Activation[] {
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
    const chosen = conditional.find((e) => e.kind === "else" || (e.kind === "when" && truthy(evaluate(e.when, scope))));
    if (chosen) {
      if (routeEvents) events.push({ type: "route_selected", from: spec.name, via: chosen.kind === "else" ? "else" : "when", targets: [chosen.to] });
      out.push(activation(chosen.to, "route", spec.name, t.branch));
    }
  } else if (labelled.length) {
    throw new NodeError(`node \`${spec.name}\` has routes but chose none (declared: ${labelled.map((e) => `\`${e.label}\``).join(", ")})`, "permanent", { graph: ctx.index.blueprint.id, node: spec.name, taskId: t.id, step: ctx.step });
  }
  return out;
}

/** Evaluates the node's send templates into one fan-out with one branch per packet. */
function dispatchSends(
  planner: PlannerState,
  spec: NodeSpec,
  t: PlannedTask,
  c: Completion,
  ctx: PlanContext,
  p: Planning,
): void {
  if (!spec.sends?.length) return;
  const { events, tasks, touched } = p;
  const scope = ctx.scope(t, c.result);
  const packets: { send: SendSpec; args: unknown }[] = [];
  // The fan-out's size is charged before any packet is built: the lists' lengths first.
  const lists: (unknown[] | undefined)[] = [];
  let count = 0;
  for (const s of spec.sends) {
    let items: unknown[] | undefined;
    if (s.forEach) {
      const v = evaluate(s.forEach.iterable, scope);
      if (!Array.isArray(v)) {
        throw new NodeError(`node \`${spec.name}\`: \`for ${s.forEach.variable} in …\` needs a list, got ${v === null ? "null" : typeof v}`, "validation", { graph: ctx.index.blueprint.id, node: spec.name, taskId: t.id, step: ctx.step });
      }
      items = v;
    }
    count += items ? items.length : 1;
    const max = ctx.maxSendPackets ?? MAX_SEND_PACKETS;
    // `!(≤)`, not `>`: a NaN bound refuses rather than lifting the limit.
    if (!(count <= max)) throw new FanoutLimitError(max, count, { graph: ctx.index.blueprint.id, node: spec.name, taskId: t.id, step: ctx.step });
    lists.push(items);
  }
  spec.sends.forEach((s, k) => {
    const items = lists[k];
    if (items && s.forEach) for (const item of items) packets.push({ send: s, args: sendArgs(s, { ...scope, [s.forEach.variable]: item }, ctx.state) });
    else packets.push({ send: s, args: sendArgs(s, scope, ctx.state) });
  });
  const id = `f${planner.nextFanout++}`;
  const fanout: FanoutState = {
    id,
    node: spec.name,
    ...(t.branch ? { parent: t.branch } : {}),
    ...(spec.join ? { join: { target: spec.join.target, wait: spec.join.wait } } : {}),
    live: packets.map(() => 1),
    ended: packets.map(() => false),
    failed: packets.map(() => false),
    released: false,
  };
  planner.fanouts[id] = fanout;
  touched.push(fanout);
  p.bump(t.branch, 1); // the open fan-out keeps the parent branch alive
  packets.forEach((p, i) => {
    const implicit = p.send.targetKind === "node" ? undefined : p.send.targetKind;
    tasks.push({ node: p.send.target, trigger: "send", from: spec.name, args: p.args, branch: { fanoutId: id, index: i }, ...(implicit ? { implicit } : {}), ...(p.send.into ? { into: p.send.into } : {}) });
  });
  events.push({
    type: "send_dispatched",
    fanoutId: id,
    targets: packets.map((p) => ({ node: p.send.target, args: p.args })),
    ...(spec.join ? { join: spec.join.target, wait: spec.join.wait } : {}),
  });
}

/**
 * A node's run-time `goto` (LangGraph's `Command({goto})`): names become activations in
 * the task's branch; Send packets open one fan-out without a join (one task per packet).
 * Throws NodeError for a name that is no node of the graph.
 */
function runtimeGoto(planner: PlannerState, t: PlannedTask, targets: NonNullable<NodeResult["goto"]>, ctx: PlanContext, p: Planning): Activation[] {
  const from = t.node;
  const out: Activation[] = [];
  const packets: { node: string; args: unknown; command?: SendCommand }[] = [];
  for (const g of targets) {
    const node = typeof g === "string" ? g : g?.node;
    if (typeof node !== "string" || (node !== "END" && !ctx.index.nodes.has(node))) {
      throw new NodeError(`node \`${from}\` chose goto \`${String(node)}\`, which is no node of graph \`${ctx.index.blueprint.id}\``, "permanent", { graph: ctx.index.blueprint.id, node: from, taskId: t.id, step: ctx.step });
    }
    if (typeof g === "string") out.push({ node, trigger: "goto", from, ...(t.branch ? { branch: t.branch } : {}) });
    else if (node !== "END") {
      if (!(packets.length < (ctx.maxSendPackets ?? MAX_SEND_PACKETS))) throw new FanoutLimitError(ctx.maxSendPackets ?? MAX_SEND_PACKETS, targets.length, { graph: ctx.index.blueprint.id, node: from, taskId: t.id, step: ctx.step });
      packets.push({ node, args: g.args, ...(g.command ? { command: g.command } : {}) });
    }
  }
  if (out.length) p.events.push({ type: "route_selected", from, via: "goto", targets: out.map((a) => a.node) });
  if (packets.length) {
    const id = `f${planner.nextFanout++}`;
    const fanout: FanoutState = { id, node: from, ...(t.branch ? { parent: t.branch } : {}), live: packets.map(() => 1), ended: packets.map(() => false), failed: packets.map(() => false), released: false };
    planner.fanouts[id] = fanout;
    p.touched.push(fanout);
    p.bump(t.branch, 1);
    packets.forEach((x, i) => p.tasks.push({ node: x.node, trigger: "send", from, ...(x.args !== undefined ? { args: x.args } : {}), ...(x.command ? { command: x.command } : {}), branch: { fanoutId: id, index: i } }));
    p.events.push({ type: "send_dispatched", fanoutId: id, targets: packets.map((x) => ({ node: x.node, args: x.args })) });
  }
  return out;
}

function sendArgs(s: SendSpec, scope: Scope, state: State): unknown {
  if (!s.args) return undefined;
  if (s.args.kind === "map") return Object.fromEntries(s.args.fields.map((f) => [f.key, evaluate(f.value, scope)]));
  const input = (scope.input ?? {}) as Record<string, unknown>;
  return s.args.path in state ? state[s.args.path] : (input[s.args.path] ?? s.args.path);
}

/** Barrier arrivals of a completed task; returns the targets of barriers it completed. */
function arrivals(planner: PlannerState, t: PlannedTask, ctx: PlanContext, events: RunEventBody[]): Activation[] {
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
