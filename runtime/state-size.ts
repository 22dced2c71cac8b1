/**
 * The size of a run's whole state as JSON bytes, kept per channel as the run goes (red team
 * 12A): `MAX_STEP_WRITE_BYTES` bounds what one step writes, but a loop that adds a field or
 * an item sharing one value each step grew the state without limit, each step within it.
 * The state is measured once when the run starts or resumes (each channel's value, the
 * walk stopping past the bound); after that only the writes are measured — `chargeWrites`
 * measures them anyway, where each task completes — and a channel's size moves by the
 * items appended (append-like reducers, when the list grew by exactly the items written:
 * only the new tail is measured) or is measured again alone (the value a reducer folded, e.g. `sum`, `merge`, a `messages`
 * write that replaced a message by id, any field an `overwrite(v)` replaced). Charged before the step's writes are applied or
 * saved: where each task completes (an estimate that only counts growth), at the
 * barrier (all the step's writes), and on the state the reducers made (`verify`: a
 * `messages` item is larger than its write), throwing or returning `StateSizeError`.
 * `updateState` (and a resume's update) checks the state an edit leaves the same way.
 */
import { overwriteOf } from "../registry/index.js";
import { MAX_STATE_BYTES, StateSizeError, type ErrorWhere } from "./errors.js";
import { jsonSizeAtMost } from "./safe-json.js";
import type { ChannelTable, PendingWrite, State } from "./state.js";

/** Reducers whose value is the list of every item written (a channel of them grows by the written items). */
const APPENDING: ReadonlySet<string> = new Set(["append", "messages", "union", "topic"]);

/**
 * The bound on a run's state, bytes of JSON: `explicit` (`RunOptions.maxStateBytes`, a
 * resume's or an `updateState`'s), else the config's `limits.maxStateBytes`, else
 * `MAX_STATE_BYTES`.
 */
export function stateBound(explicit: number | undefined, registry: { readonly runLimits?: { readonly maxStateBytes?: number } }): number {
  return explicit ?? registry.runLimits?.maxStateBytes ?? MAX_STATE_BYTES;
}

/** Per-run gauge of the state's JSON bytes (`runLoop` makes one; tasks reach it through `TaskEnv.stateSize`). */
export class StateGauge {
  /** JSON bytes of each channel's value as last measured or moved. */
  private readonly sizes = new Map<string, number>();
  /** Sum of `sizes`. */
  total = 0;
  /** Growth charged by the tasks completed since the last barrier (`chargeTask`); reset by `applied`. */
  pending = 0;
  /** What each write measured where its task completed (`chargeWrites`), by write. */
  private readonly measured = new WeakMap<PendingWrite, number>();
  /** The channel `applied` grew most, by how many bytes, and its last write (for `verify`). */
  private grewMost: [string, number, PendingWrite | undefined] | undefined;

  /**
   * @param max the bound, bytes of JSON (`MAX_STATE_BYTES` or `maxStateBytes`).
   * @param channels the run's channel table (which reducer folds each field).
   */
  constructor(
    readonly max: number,
    private readonly channels: ChannelTable,
  ) {}

  /** Measures every channel of `state` once (a run's start, a resume from its checkpoint's blobs). */
  measure(state: State): void {
    this.sizes.clear();
    this.total = 0;
    this.pending = 0;
    for (const name of Object.keys(state)) {
      const n = jsonSizeAtMost(state[name], this.max + 1);
      this.sizes.set(name, n);
      this.total += n;
    }
  }

  /** Records the JSON bytes `chargeWrites` measured for `w`'s value (read again at the barrier). */
  note(w: PendingWrite, bytes: number): void {
    this.measured.set(w, bytes);
  }

  /** The name of the reducer that folds `channel` (undefined for no field of the table). */
  private reducer(channel: string): string | undefined {
    return this.channels.channels.get(channel)?.field.reducer.name;
  }

  /** What a write may add to its channel: its bytes for an accumulating reducer, its bytes less the channel's for an overwrite. */
  private growth(channel: string, bytes: number): number {
    return this.reducer(channel) === "overwrite" ? bytes - (this.sizes.get(channel) ?? 0) : bytes;
  }

  /**
   * Charges what a completed task's writes may add to the state (their measured sizes,
   * `note`), before its record is saved. Counts growth only (a shrinking write is counted
   * at the barrier), so tasks of one step add up.
   * @returns the refusal naming the channel that grew most, or undefined.
   */
  chargeTask(writes: readonly PendingWrite[], where: ErrorWhere): StateSizeError | undefined {
    let grown = 0;
    let channel: string | undefined;
    let most = 0;
    for (const w of writes) {
      const g = Math.max(this.growth(w.channel, this.measured.get(w) ?? 0), 0);
      grown += g;
      if (channel === undefined || g > most) (channel = w.channel), (most = g);
    }
    const after = this.total + this.pending + grown;
    if (!(after <= this.max)) return new StateSizeError(this.max, after, channel ?? "?", where);
    this.pending += grown;
    return undefined;
  }

  /**
   * Checks the state the step's writes would leave, before they are applied or saved: an
   * overwrite replaces its channel's bytes by its own (the last write of the channel), any
   * other write adds its bytes (at most what the reducer can add).
   * @throws StateSizeError naming the node whose write grew the channel that grew most.
   */
  check(writes: readonly PendingWrite[], where: ErrorWhere): void {
    // One write (a step of one task writing one field, as each superstep of an agent loop): no maps.
    if (writes.length === 1) return this.checkOne(writes[0]!, where);
    const after = new Map<string, number>();
    const by = new Map<string, PendingWrite>();
    for (const w of writes) {
      let bytes = this.measured.get(w);
      if (bytes === undefined) this.measured.set(w, (bytes = jsonSizeAtMost(w.value, this.max + 1)));
      const was = after.get(w.channel) ?? this.sizes.get(w.channel) ?? 0;
      after.set(w.channel, this.reducer(w.channel) === "overwrite" ? bytes : was + bytes);
      by.set(w.channel, w);
    }
    let total = this.total;
    let channel: string | undefined;
    let most = -Infinity;
    for (const [c, n] of after) {
      const grew = n - (this.sizes.get(c) ?? 0);
      total += grew;
      if (grew > most) (channel = c), (most = grew);
    }
    if (!(total <= this.max) && channel !== undefined) {
      const w = by.get(channel)!;
      throw new StateSizeError(this.max, total, channel, { ...where, node: w.node, taskId: w.taskId });
    }
  }

  /** `check` of a step that wrote once: the same arithmetic for one channel. */
  private checkOne(w: PendingWrite, where: ErrorWhere): void {
    let bytes = this.measured.get(w);
    if (bytes === undefined) this.measured.set(w, (bytes = jsonSizeAtMost(w.value, this.max + 1)));
    const was = this.sizes.get(w.channel) ?? 0;
    const total = this.total + (this.reducer(w.channel) === "overwrite" ? bytes : was + bytes) - was;
    if (!(total <= this.max)) throw new StateSizeError(this.max, total, w.channel, { ...where, node: w.node, taskId: w.taskId });
  }

  /**
   * Moves the sizes of the channels the barrier changed: an overwrite to its last write's
   * bytes, an appending reducer by its new tail's bytes when its list grew by exactly the
   * items written, any other channel measured again alone. Resets `pending`.
   */
  applied(before: State, state: State, changed: readonly string[], writes: readonly PendingWrite[]): void {
    this.pending = 0;
    this.grewMost = undefined;
    if (!changed.length) return;
    // One write (an agent loop's step): its channel's list without a map of them.
    const only = writes.length === 1 ? writes : undefined;
    const written = only ? undefined : new Map<string, PendingWrite[]>();
    if (written) {
      for (const w of writes) {
        const l = written.get(w.channel);
        if (l) l.push(w);
        else written.set(w.channel, [w]);
      }
    }
    for (const c of changed) {
      const old = this.sizes.get(c) ?? 0;
      const ws = only ? (only[0]!.channel === c ? only : undefined) : written!.get(c);
      const reducer = this.reducer(c);
      let n: number | undefined;
      // An `overwrite(v)` write takes the field whatever the other writes and the reducer (an
      // `overwrite([…])` of a list is one wrapper, not its items): the field is measured again.
      if (!ws || ws.some(isOverwrite)) n = undefined;
      else if (reducer === "overwrite") n = this.measured.get(ws[ws.length - 1]);
      else if (reducer !== undefined && APPENDING.has(reducer)) n = appendedSize(before[c], state[c], ws, old, this.max + 1);
      n ??= jsonSizeAtMost(state[c], this.max + 1);
      this.sizes.set(c, n);
      this.total += n - old;
      if (this.grewMost === undefined || n - old > this.grewMost[1]) this.grewMost = [c, n - old, ws?.at(-1)];
    }
  }

  /**
   * Refuses the state `applied` measured when it is past the bound — the exact sizes of
   * what the reducers made (a `messages` item given an id and a role is larger than its
   * write, which `check` counted): call before the state is kept, streamed or saved.
   * @throws StateSizeError naming the channel that grew most and its last writer.
   */
  verify(where: ErrorWhere): void {
    if (this.total <= this.max) return;
    const [channel, , w] = this.grewMost ?? ["?", 0, undefined];
    throw new StateSizeError(this.max, this.total, channel, { ...where, ...(w ? { node: w.node, taskId: w.taskId } : {}) });
  }
}

/** A write that replaces its channel (`overwrite(v)`), whatever the channel's reducer. */
function isOverwrite(w: PendingWrite): boolean {
  return overwriteOf(w.value)[0];
}

/**
 * A list channel's bytes after `ws` were appended, when it grew by exactly their items:
 * the old bytes plus the new tail's items, measured alone (exact even where the reducer
 * made an item larger than its write, e.g. `messages` giving a text a role and an id).
 * Undefined when the list did not grow so (a replacement by id, a duplicate in a `union`,
 * a reset): the channel is measured again.
 */
function appendedSize(before: unknown, after: unknown, ws: readonly PendingWrite[], old: number, cap: number): number | undefined {
  if (!Array.isArray(before) || !Array.isArray(after)) return undefined;
  let items = 0;
  for (const w of ws) items += Array.isArray(w.value) ? w.value.length : 1;
  if (after.length !== before.length + items) return undefined;
  let bytes = old;
  // One comma per new item (the first into an empty list needs none: at most a byte over).
  for (let i = before.length; i < after.length && bytes <= cap; i++) bytes += jsonSizeAtMost(after[i], cap) + 1;
  return bytes;
}
