/**
 * The planner's state (`runtime.md` §2), plain data so a checkpoint can hold it: the
 * tasks planned for a superstep, what a completed task hands to the planner, open
 * fan-outs and barrier arrivals, and the copies a checkpoint keeps.
 *
 * Fan-out tracking: every Send packet starts a branch of a fan-out. Each branch keeps a
 * count of live work in it (scheduled tasks, plus nested fan-outs still open). A task
 * that completes hands its branch to its successors; a branch whose count reaches zero
 * has ended (it reached END, the join node, or had no route). When every branch of a
 * fan-out has ended, its join target is scheduled exactly once, in the parent branch.
 */
import type { NodeResult, SendCommand } from "../registry/index.js";
import type { RunEventBody } from "./events.js";

/** A branch of a fan-out: the fan-out's id and the branch's index (its packet's). */
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

/** An open (or released) fan-out: its join, and per branch its live work, whether it ended and whether it failed. */
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

/** Everything the planner carries from one superstep to the next (a checkpoint holds it). */
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

/** The next superstep's tasks, and the events planning it raised. */
export interface PlanOutput {
  readonly tasks: PlannedTask[];
  readonly events: RunEventBody[];
  /** Send packets the plan dispatched (charged to the run tree's `PacketGauge` until the planned tasks have run). */
  readonly packets?: number;
  /** Bytes of JSON their arguments carry (given back with them). */
  readonly packetBytes?: number;
}

/** The planner state of a run that has planned nothing yet. */
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

/** The last snapshot made of a planner with nothing open (frozen; shared while `nextFanout` stays). */
let lastEmpty: PlannerState = Object.freeze({ nextFanout: 1, fanouts: NO_FANOUTS, arrivals: NO_ARRIVALS });

/**
 * The planner state a checkpoint keeps: a deep copy (the run goes on mutating its own)
 * that nobody mutates. A planner with nothing open, the state of most supersteps,
 * snapshots to a frozen object sharing frozen empty maps, the same one for every
 * checkpoint until `nextFanout` moves: no allocation per checkpoint of a chain. Never
 * hand a snapshot to `plan`; `clonePlanner` it first.
 */
export function snapshotPlanner(p: PlannerState): PlannerState {
  if (isEmptyRecord(p.fanouts) && isEmptyRecord(p.arrivals) && !p.deferred?.length) {
    if (lastEmpty.nextFanout !== p.nextFanout) lastEmpty = Object.freeze({ nextFanout: p.nextFanout, fanouts: NO_FANOUTS, arrivals: NO_ARRIVALS });
    return lastEmpty;
  }
  return clonePlanner(p);
}

function isEmptyRecord(o: object): boolean {
  for (const _ in o) return false;
  return true;
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

/** False when the branch, or a branch it is nested in, has ended (a missing fan-out counts as ended). */
export function branchAlive(planner: PlannerState, b: BranchRef | undefined): boolean {
  for (let cur = b; cur; cur = planner.fanouts[cur.fanoutId]?.parent) {
    const f = planner.fanouts[cur.fanoutId];
    if (!f || (f.ended[cur.index] && f.live[cur.index] <= 0)) return false;
  }
  return true;
}
