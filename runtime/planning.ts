/**
 * One plan in the making: what planning reads (`PlanContext`), the activations it
 * collects (`Activation`), and `Planning`, the next step's tasks, events and live-work
 * changes, with plain activations of one node deduplicated per superstep.
 */
import { FanoutLimitError, MAX_SEND_PAYLOAD_BYTES, MAX_STEP_WRITE_BYTES, NodeError, STEP_SEND_PACKETS_FACTOR, type ErrorWhere } from "./errors.js";
import { jsonSizeAtMost } from "./safe-json.js";
import type { RunEventBody, RunEventType } from "./events.js";
import type { Scope } from "./expr.js";
import type { GraphIndex } from "./graph-index.js";
import type { BranchRef, FanoutState, PlannedTask } from "./planner-state.js";
import type { State } from "./state.js";

/** The key of a branch in `Planning.delta` (`fanoutId#index`; `""` outside any fan-out). */
export const branchKey = (b: BranchRef | undefined) => (b ? `${b.fanoutId}#${b.index}` : "");

/** A node a completed task activates (made into a task, or deduplicated, by `Planning.add`). */
export interface Activation {
  readonly node: string;
  readonly trigger: PlannedTask["trigger"];
  readonly from?: string;
  readonly branch?: BranchRef;
  readonly args?: unknown;
}

/** What `plan` reads of the run besides the planner state. */
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
  /** The Send packets in flight in this run and every run of its tree (`PacketGauge`); this plan's own when absent. */
  readonly packets?: PacketGauge;
}

/** What a refusal of `PacketGauge.measureWrites` says after the node's name: what it did (`wrote`), of what (`state`), and why the bytes are stored as they are. */
export interface InFlightWords {
  readonly did: string;
  readonly what: string;
  readonly why: string;
}

/**
 * The Send packets in flight across one root run and all its child runs (subgraph nodes,
 * sends to graphs, `task.runGraph`): charged by each plan before a packet is built, given
 * back once the tasks planned with them have run (or their run ended). One object per run
 * tree, handed to child runs with their `ParentLink`: a child runs inside its parent's step,
 * so the packets of a fan-out whose branches each start a child that fans out again are all
 * live at once, in separate runs (red team 12A).
 */
export class PacketGauge {
  live = 0;
  /** Bytes of JSON the arguments of those packets carry (`MAX_SEND_PAYLOAD_BYTES`). */
  bytes = 0;
  /** Bytes of JSON the writes of the tasks completed and not yet applied hold (`MAX_STEP_WRITE_BYTES`, `task-writes.ts` `chargeWrites`). */
  writeBytes = 0;

  /**
   * Measures values to be held in flight in the run tree on top of `writeBytes` (at most
   * `MAX_STEP_WRITE_BYTES` together: a task's writes, `task-writes.ts` `chargeWrites`; a
   * child run's input, `child.ts`), before anything is charged or stored. Measured as the
   * checkpoint stores them: each value's JSON bytes plus its channel name's length (a value
   * shared by reference counts once per write), with walks that stop at what is left.
   * Charges nothing: the caller adds the bytes to `writeBytes` once the rest of its checks pass.
   * @param said what the refusal says the node did (`did`, `what`) and why it is stored so (`why`).
   * @param state told each write's bytes (`StateGauge.note`, read again at the barrier), when given.
   * @returns the bytes; or, past what is left, the refusal (a `validation` NodeError: the same state gives the same values).
   */
  measureWrites<W extends { readonly channel: string; readonly value: unknown }>(writes: readonly W[], where: ErrorWhere & { readonly node: string }, said: InFlightWords, state?: { note(w: W, bytes: number): void }): number | NodeError {
    const left = MAX_STEP_WRITE_BYTES - this.writeBytes;
    let bytes = 0;
    for (const w of writes) {
      const n = jsonSizeAtMost(w.value, Math.max(left - bytes, 0));
      state?.note(w, n);
      bytes += w.channel.length + n;
      if (!(bytes <= left)) {
        return new NodeError(`node \`${where.node}\` ${said.did} more than ${left} bytes of ${said.what} (as JSON) where ${MAX_STEP_WRITE_BYTES} may be in flight in a run and the runs it is in: ${said.why}`, "validation", where);
      }
    }
    return bytes;
  }

  /** Gives back `packets` Send packets and the `bytes` of JSON their arguments carry (a plan's charges, once its tasks ran or will not run). */
  release(packets: number, bytes: number): void {
    this.live -= packets;
    this.bytes -= bytes;
  }

  /** Child runs started in the run tree so far (`DEFAULT_MAX_CHILD_RUNS`, `runtime/child.ts`). */
  childRuns = 0;
}

/** The next step's tasks as they are being planned (one object per plan, no closures). */
export class Planning {
  readonly events: RunEventBody[] = [];
  /** Tasks without ids yet (ids follow the order of the tasks that stay live). */
  readonly tasks: Omit<PlannedTask, "id">[] = [];
  readonly touched: FanoutState[] = [];
  /** Send packets dispatched by this plan so far, all tasks together (bounded with the run tree's: `chargePackets`). */
  sendPackets = 0;
  /** Bytes of JSON the arguments of this plan's packets carry (`chargePayload`). */
  sendBytes = 0;
  private readonly gauge: PacketGauge;

  /** @param gauge the run tree's packets in flight (`PlanContext.packets`); a gauge of this plan's own when absent. */
  constructor(gauge?: PacketGauge) {
    this.gauge = gauge ?? new PacketGauge();
  }
  /** Live-work changes per branch key (made when a branch is first bumped: most steps run outside any fan-out). */
  delta: Map<string, number> | undefined;
  /** Index in `tasks` of each node scheduled by a plain activation (joins: per node and branch); made on the second. */
  private seen: Map<string, number> | undefined;
  /** The key of the first plain activation, while it is the only one (a step of one task needs no map). */
  private firstKey: string | undefined;

  /**
   * Charges `n` more Send packets, before any is built, to the superstep being planned and to
   * the packets in flight in its run tree (`PacketGauge`: this plan's, the tasks of enclosing
   * runs' steps still running, sibling child runs'): together at most
   * `STEP_SEND_PACKETS_FACTOR` times the per-task limit (nested fan-outs multiply, also
   * through child runs).
   * @throws FanoutLimitError (`scope: "step"`) past the bound.
   */
  chargePackets(n: number, perTask: number, where: ErrorWhere): void {
    const max = perTask * STEP_SEND_PACKETS_FACTOR;
    const total = this.gauge.live + n;
    // `!(≤)`: a NaN bound refuses rather than lifting the limit.
    if (!(total <= max)) throw new FanoutLimitError(max, total, where, "step");
    this.gauge.live = total;
    this.sendPackets += n;
  }

  /**
   * Charges the arguments of one Send packet, as JSON bytes (each packet keeps its own copy
   * in the checkpoint, however many share the value), to the run tree's packets in flight
   * before the packet's task is built; the walk stops at what is left.
   * @throws FanoutLimitError (`scope: "bytes"`) past `MAX_SEND_PAYLOAD_BYTES`.
   */
  chargePayload(args: unknown, where: ErrorWhere): void {
    if (args === undefined) return;
    const left = MAX_SEND_PAYLOAD_BYTES - this.gauge.bytes;
    const n = jsonSizeAtMost(args, Math.max(left, 0));
    if (!(n <= left)) throw new FanoutLimitError(MAX_SEND_PAYLOAD_BYTES, this.gauge.bytes + n, where, "bytes");
    this.gauge.bytes += n;
    this.sendBytes += n;
  }

  /**
   * Gives back to the run tree's gauge what this plan charged (`chargePackets`,
   * `chargePayload`): the plan threw, so none of its packets will run and no barrier will
   * return them (`run.ts` returns only the packets of a plan that completed).
   */
  refund(): void {
    this.gauge.release(this.sendPackets, this.sendBytes);
    this.sendPackets = this.sendBytes = 0;
  }

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

/** An activation of `node` (with `branch` only when there is one: the shape the planner always made). */
export function activation(node: string, trigger: Activation["trigger"], from: string, branch: BranchRef | undefined): Activation {
  return branch ? { node, trigger, from, branch } : { node, trigger, from };
}
