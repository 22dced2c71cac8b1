/**
 * What a thread has spent on model calls under a `budget` (tokens: input + output; USD),
 * in total and per node — the ledger the budget middleware (`stdlib/middleware/budget.ts`)
 * checks and charges. The runtime makes one per root run, starts it from the spend its
 * checkpoint recorded (`Checkpoint.spend` plus the `__spend__` records saved against it),
 * and persists every charge: a resumed, retried or crashed-and-continued run goes on from
 * what the thread already spent instead of from zero (after LangGraph's pending writes,
 * which keep what a step did with the checkpoint it ran from).
 *
 * A call is charged before and after: `reserve` before it (its estimate, counted at once
 * so that concurrent branches of one superstep see each other's reservations, and saved
 * before the call is made), `extend` while it runs past that estimate (its stream, its
 * failed attempts: counted at once, in this ledger and in any it is joined to), then
 * `settle` after it (the reservation and its extensions replaced by the real usage).
 * A process that dies during a call leaves its reservation recorded: it counts as spent.
 */
import { RagError } from "./rag-error.js";
import { recordingGate, type SpendGate } from "./spend-gate.js";

/** Spend as stored: totals and per node (node name → totals); counts are finite and ≥ 0. */
export interface Spend {
  readonly tokens: number;
  readonly usd: number;
  readonly nodes?: Readonly<Record<string, { readonly tokens: number; readonly usd: number }>>;
}

/** Live counts of a scope (the run, or one node): settled spend plus the reservations of calls in flight. */
export interface SpendCounts {
  readonly tokens: number;
  readonly usd: number;
  readonly reservedTokens: number;
  readonly reservedUsd: number;
}

/** The ledger a budgeted call is checked against and charged to (`CallContext.spend`). */
export interface SpendLedger {
  /** The thread's counts (the run, its child runs and the runs before it on the thread). */
  readonly run: SpendCounts;
  /** The counts of node `name` (every task of that node on the thread). */
  node(name: string): SpendCounts;
  /**
   * Adds a call's estimate to the run's and `node`'s reservations, synchronously (a
   * check made after this returns sees it), then persists it; resolves once it is stored,
   * under every durability mode (`Persister.putDurable`; at once when the run has no
   * checkpointer).
   * @throws SpendCountError when `tokens` or `usd` is not a finite number ≥ 0 (nothing is counted).
   */
  reserve(node: string, tokens: number, usd: number): Promise<void>;
  /**
   * Grows a call's reservation (made with `reserve`) by `tokens`/`usd`, in the run's and
   * `node`'s counts, synchronously: what the call is known to use past its estimate — its
   * stream beyond the estimated output, what its failed attempts were charged — so that
   * every other call checking this ledger, or a ledger sharing it (a `JointLedger`'s or
   * `LinkedLedger`'s enclosing one), sees it at once. Kept in memory and saved with the
   * ledger's next record (a stream's every piece is not a store write); a crash meanwhile
   * leaves the last saved reservation counted. The call's `settle` releases the reservation
   * with its extensions: its `reserved` is what was reserved plus everything extended.
   * @throws SpendCountError when `tokens` or `usd` is not a finite number ≥ 0 (nothing is counted).
   */
  extend(node: string, tokens: number, usd: number): void;
  /**
   * Replaces a reservation by what the call really used (0 for a cached call; for a failed
   * one, what `CallMeter` charged its attempts) and persists it; a `spent` figure that is
   * not a count (see `spentOf`) is charged at the reservation.
   */
  settle(node: string, reserved: { readonly tokens: number; readonly usd: number }, spent: { readonly tokens: number; readonly usd: number }): void;
  /**
   * Charges spend made elsewhere — a branch run on a worker of the pool
   * (`runtime/remote-branch.ts`), reported with its result — as settled usage of the
   * nodes it names. `recorded`: the worker already saved it as `__spend__` records against
   * the checkpoint this ledger's own record is saved against (a resume from there counts
   * them), so it is counted but not put in this ledger's record again. A figure that is
   * not a count (see `readSpend`) is charged as unlimited.
   */
  add(spent: Spend, recorded: boolean): void;
  /**
   * The run's account shared across processes, when the run is distributed over a worker
   * pool (`registry/spend-gate.ts`): the budget middleware claims each call there too,
   * before the call. Absent for in-process runs (this ledger is the whole account).
   */
  readonly gate?: SpendGate;
}

interface Counts {
  tokens: number;
  usd: number;
  reservedTokens: number;
  reservedUsd: number;
}

interface Totals {
  tokens: number;
  usd: number;
}

const RESOLVED: Promise<void> = Promise.resolve();
/** What `checkpointed` returns for a book that never spent nor reserved (shared: most checkpoints of most runs). */
const NOTHING_CHECKPOINTED: { spend?: Spend; record?: Spend } = Object.freeze({});

/** True for a count the ledger accepts: a finite number ≥ 0 (tokens, USD). */
export const isSpendCount = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x) && x >= 0;

/** A spent figure the ledger charges as given: a number ≥ 0, infinite included (it fails closed); not NaN, not negative. */
const isSpent = (x: unknown): x is number => typeof x === "number" && x >= 0;

/**
 * A reservation that is not a count (negative, NaN, infinite, not a number): a caller's
 * bug or a hostile estimate. Thrown by `SpendBook.reserve` before anything is counted — a
 * negative reservation would give budget back to concurrent calls, a NaN one would make
 * every later check pass.
 */
export class SpendCountError extends RagError {
  readonly code = "spend_count";
}

/** @throws SpendCountError when `tokens` or `usd` is not a count (`isSpendCount`). */
export function checkReservation(tokens: number, usd: number): void {
  if (!isSpendCount(tokens) || !isSpendCount(usd)) throw new SpendCountError(`a budget reservation must be counts ≥ 0 (got ${String(tokens)} tokens, ${String(usd)} USD)`);
}

/**
 * What a call really spent, from a provider's reported usage (untrusted: a reply, or a
 * proxy in front of one, may report negative, NaN, infinite or non-number counts, or
 * none): the reported tokens (input + output) and USD when they are numbers ≥ 0 (an
 * absurd or infinite figure is charged as reported: it fails closed), else the
 * call's reservation (`reserved`, its estimate) for that figure — a reply cannot give
 * budget back or make the next check pass. A cached reply costs nothing.
 */
export function spentOf(usage: unknown, reserved: { readonly tokens: number; readonly usd: number }, cached = false): { tokens: number; usd: number } {
  if (cached) return { tokens: 0, usd: 0 };
  const u = usage && typeof usage === "object" ? (usage as Record<string, unknown>) : {};
  const input = u.inputTokens;
  const output = u.outputTokens;
  const tokens = isSpent(input) && isSpent(output) ? input + output : reserved.tokens;
  const usd = u.costUsd === undefined ? (isSpent(input) && isSpent(output) ? 0 : reserved.usd) : isSpent(u.costUsd) ? u.costUsd : reserved.usd;
  return { tokens, usd };
}

/**
 * A `SpendLedger` in memory, optionally persisting a record of what it charged since its
 * last `checkpointed` (settled usage plus the reservations in flight) through `save` after every
 * change. The record replaces the previous one (`putWrites` of a runtime record), so the
 * store always holds one up-to-date record per run and checkpoint.
 */
export class SpendBook implements SpendLedger {
  readonly run: Counts;
  private readonly nodes = new Map<string, Counts>();
  /** Settled since the last `checkpointed`: the part of the record not in the latest checkpoint. */
  private since: Totals = { tokens: 0, usd: 0 };
  private sinceNodes = new Map<string, Totals>();
  /** The run's account across a worker pool (`SpendLedger.gate`), set by whoever makes the book for a distributed run. */
  gate?: SpendGate;

  /**
   * @param base what the thread spent before (a checkpoint's `spentAt`); zero when absent.
   * @param save persists a record (the runtime's `Persister.putWrites`); its promise (if any) is what `reserve` waits for.
   */
  constructor(
    base?: Spend,
    private readonly save?: (record: Spend) => Promise<void> | undefined,
  ) {
    this.run = { tokens: base?.tokens ?? 0, usd: base?.usd ?? 0, reservedTokens: 0, reservedUsd: 0 };
    if (base?.nodes) for (const [name, n] of Object.entries(base.nodes)) this.nodes.set(name, { tokens: n.tokens, usd: n.usd, reservedTokens: 0, reservedUsd: 0 });
  }

  node(name: string): Counts {
    let n = this.nodes.get(name);
    if (!n) this.nodes.set(name, (n = { tokens: 0, usd: 0, reservedTokens: 0, reservedUsd: 0 }));
    return n;
  }

  reserve(node: string, tokens: number, usd: number): Promise<void> {
    checkReservation(tokens, usd);
    for (const c of [this.run, this.node(node)]) (c.reservedTokens += tokens), (c.reservedUsd += usd);
    return this.persist() ?? RESOLVED;
  }

  extend(node: string, tokens: number, usd: number): void {
    checkReservation(tokens, usd);
    for (const c of [this.run, this.node(node)]) (c.reservedTokens += tokens), (c.reservedUsd += usd);
  }

  settle(node: string, reserved: { readonly tokens: number; readonly usd: number }, reported: { readonly tokens: number; readonly usd: number }): void {
    // A figure that is not a count is charged at its reservation: settling never lowers the counts.
    const spent = { tokens: isSpent(reported.tokens) ? reported.tokens : reserved.tokens, usd: isSpent(reported.usd) ? reported.usd : reserved.usd };
    for (const c of [this.run, this.node(node)]) {
      c.reservedTokens -= reserved.tokens;
      c.reservedUsd -= reserved.usd;
      c.tokens += spent.tokens;
      c.usd += spent.usd;
    }
    if (spent.tokens || spent.usd) {
      this.since.tokens += spent.tokens;
      this.since.usd += spent.usd;
      const s = this.sinceNodes.get(node);
      if (s) (s.tokens += spent.tokens), (s.usd += spent.usd);
      else this.sinceNodes.set(node, { tokens: spent.tokens, usd: spent.usd });
    }
    // Not awaited (`settled`): a failure surfaces at the run's next checkpoint, or at the next save.
    this.settled();
  }

  add(spent: Spend, recorded: boolean): void {
    const s = readSpend(spent);
    const charge = (c: Counts | Totals, t: number, u: number) => ((c.tokens += t), (c.usd += u));
    charge(this.run, s.tokens, s.usd);
    if (!recorded) charge(this.since, s.tokens, s.usd);
    for (const [name, n] of Object.entries(s.nodes ?? {})) {
      charge(this.node(name), n.tokens, n.usd);
      if (recorded) continue;
      const t = this.sinceNodes.get(name);
      if (t) charge(t, n.tokens, n.usd);
      else this.sinceNodes.set(name, { tokens: n.tokens, usd: n.usd });
    }
    if (!recorded && (s.tokens || s.usd)) this.settled();
  }

  /** Settled totals (the reservations of calls in flight left out): what a checkpoint records as `spend`. */
  totals(): Spend {
    const nodes = Object.create(null) as Record<string, Totals>;
    for (const [name, n] of this.nodes) if (n.tokens || n.usd) nodes[name] = { tokens: n.tokens, usd: n.usd };
    return { tokens: this.run.tokens, usd: this.run.usd, ...(Object.keys(nodes).length ? { nodes } : {}) };
  }

  /** True when nothing was ever spent or reserved (a checkpoint then records no `spend`). */
  get empty(): boolean {
    return this.run.tokens === 0 && this.run.usd === 0 && this.run.reservedTokens === 0 && this.run.reservedUsd === 0;
  }

  /**
   * A checkpoint is being saved: returns what it records as `spend` (`totals()`; undefined
   * when nothing was ever spent or reserved) and the record to commit in the same
   * transaction (`record()` from here: the reservations of calls in flight; undefined when
   * none), and starts the record again from this moment. A call that settles from now on
   * is counted in the record against the new checkpoint — not dropped as spend the
   * checkpoint was thought to hold (before, the record was cleared once the save had
   * returned: a detached call settling during the save was in memory only until the next
   * checkpoint, and the reservations followed the checkpoint in a write of their own).
   */
  checkpointed(): { spend?: Spend; record?: Spend } {
    // Called every superstep of a checkpointed run: a book that never spent starts its record
    // again without a new Map or objects (nothing holds `since` or `sinceNodes` but the book).
    if (this.empty) {
      if (this.since.tokens || this.since.usd) this.since = { tokens: 0, usd: 0 };
      if (this.sinceNodes.size) this.sinceNodes = new Map();
      return NOTHING_CHECKPOINTED;
    }
    const spend = this.totals();
    this.since = { tokens: 0, usd: 0 };
    this.sinceNodes = new Map();
    const record = this.run.reservedTokens || this.run.reservedUsd ? this.record() : undefined;
    return record ? { spend, record } : { spend };
  }

  /**
   * The record: settled since the last `checkpointed` (since the book was made, before any) plus
   * everything reserved now (a crash mid-call counts it as spent). A branch run on a
   * worker reports this with its result (`runtime/remote-branch.ts`).
   */
  record(): Spend {
    const nodes = Object.create(null) as Record<string, Totals>;
    for (const [name, s] of this.sinceNodes) nodes[name] = { tokens: s.tokens, usd: s.usd };
    for (const [name, n] of this.nodes) {
      if (!n.reservedTokens && !n.reservedUsd) continue;
      const t = (nodes[name] ??= { tokens: 0, usd: 0 });
      t.tokens += n.reservedTokens;
      t.usd += n.reservedUsd;
    }
    return { tokens: this.since.tokens + this.run.reservedTokens, usd: this.since.usd + this.run.reservedUsd, nodes };
  }

  private persist(): Promise<void> | undefined {
    return this.save?.(this.record());
  }

  /**
   * Persists a settled charge without waiting. Its failure is handled here, not left
   * unhandled: nothing is lost (each record holds everything since, so the next save —
   * awaited before the next call — carries it; the run's persister reports its failures
   * at the next checkpoint, a pool worker's branch writes meet the store's).
   */
  private settled(): void {
    this.persist()?.catch(() => undefined);
  }
}

/**
 * A ledger checked against what a thread had spent (`base`) plus everything an enclosing
 * ledger counts (`outer`), and charged to both: to `outer`, and to `thread` (a `SpendBook`
 * whose record is saved with the thread's checkpoints). For `base` and `outer` that do not
 * overlap: the branches of one step that a pool worker runs (`runtime/remote-branch.ts`:
 * `outer` is the worker's share of the step, which starts at 0, and `base` leaves out the
 * records of branches the share counts). A run linked into an enclosing run's ledger (a
 * REPL session's or a CodeAct script's graph run), whose thread's spend may hold charges
 * the enclosing ledger counts too, uses `LinkedLedger` instead.
 */
export class JointLedger implements SpendLedger {
  readonly run: SpendCounts;
  private readonly nodes = new Map<string, SpendCounts>();

  constructor(
    private readonly thread: SpendBook,
    private readonly base: Spend,
    private readonly outer: SpendLedger,
  ) {
    this.run = live(() => base, () => outer.run);
  }

  /**
   * The thread's ledger's gate (a pool worker's branch: the run's account across the pool);
   * else, for a run nested under a thread of its own, the enclosing ledger's, claimed
   * against the enclosing runs' limits only (`recordingGate`).
   */
  get gate(): SpendGate | undefined {
    if (this.thread.gate) return this.thread.gate;
    const outer = this.outer.gate;
    return outer && (this.recording ??= recordingGate(outer));
  }

  private recording?: SpendGate;

  node(name: string): SpendCounts {
    let n = this.nodes.get(name);
    if (!n) this.nodes.set(name, (n = live(() => this.base.nodes?.[name] ?? ZERO, () => this.outer.node(name))));
    return n;
  }

  reserve(node: string, tokens: number, usd: number): Promise<void> {
    // Checked before either ledger counts it: one must not hold a reservation the other refused.
    checkReservation(tokens, usd);
    const a = this.outer.reserve(node, tokens, usd);
    const b = this.thread.reserve(node, tokens, usd);
    return Promise.all([a, b]).then(() => undefined);
  }

  extend(node: string, tokens: number, usd: number): void {
    checkReservation(tokens, usd);
    // The enclosing ledger holds it for the other branches and runs sharing it; the thread's for its record.
    this.outer.extend(node, tokens, usd);
    this.thread.extend(node, tokens, usd);
  }

  settle(node: string, reserved: { readonly tokens: number; readonly usd: number }, spent: { readonly tokens: number; readonly usd: number }): void {
    this.outer.settle(node, reserved, spent);
    this.thread.settle(node, reserved, spent);
  }

  add(spent: Spend, recorded: boolean): void {
    // `recorded` is about this run's checkpoints (the thread's); the enclosing ledger records elsewhere.
    this.outer.add(spent, false);
    this.thread.add(spent, recorded);
  }
}

const ZERO: Totals = { tokens: 0, usd: 0 };

/** Counts read at each access: `base` settled plus `outer`'s live counts (the budget middleware re-reads them after a call). */
function live(base: () => Totals, outer: () => SpendCounts): SpendCounts {
  return {
    get tokens() {
      return base().tokens + outer().tokens;
    },
    get usd() {
      return base().usd + outer().usd;
    },
    get reservedTokens() {
      return outer().reservedTokens;
    },
    get reservedUsd() {
      return outer().reservedUsd;
    },
  };
}

/**
 * A stored spend value read back (a checkpoint's `spend`, a `__spend__` record): absent
 * reads as zero; anything else that is not finite, non-negative numbers — in the totals
 * or in any node's entry — reads as unlimited spend for the run (fails closed: a corrupted record refuses budgeted calls rather than
 * letting a NaN pass every check).
 */
export function readSpend(v: unknown): Spend {
  if (v === undefined || v === null) return { tokens: 0, usd: 0 };
  const num = (x: unknown) => (typeof x === "number" && Number.isFinite(x) && x >= 0 ? x : Infinity);
  if (typeof v !== "object" || Array.isArray(v)) return { tokens: Infinity, usd: Infinity };
  const o = v as Record<string, unknown>;
  const nodes: Record<string, Totals> = Object.create(null) as Record<string, Totals>;
  // A corrupted figure anywhere in the record closes the whole of it: a bad per-node count
  // read as unlimited for that node alone left the run's budget open.
  let corrupt = false;
  if (o.nodes !== undefined) {
    if (!o.nodes || typeof o.nodes !== "object" || Array.isArray(o.nodes)) return { tokens: Infinity, usd: Infinity };
    for (const [name, n] of Object.entries(o.nodes as Record<string, unknown>)) {
      const r = n && typeof n === "object" && !Array.isArray(n) ? (n as Record<string, unknown>) : {};
      const t = { tokens: num(r.tokens), usd: num(r.usd) };
      if (t.tokens === Infinity || t.usd === Infinity) corrupt = true;
      nodes[name] = t;
    }
  }
  return corrupt ? { tokens: Infinity, usd: Infinity, nodes } : { tokens: num(o.tokens), usd: num(o.usd), nodes };
}

/** `a + b`, totals and per node. */
export function addSpend(a: Spend, b: Spend): Spend {
  const nodes: Record<string, Totals> = Object.create(null) as Record<string, Totals>;
  for (const s of [a, b]) {
    for (const [name, n] of Object.entries(s.nodes ?? {})) {
      const t = (nodes[name] ??= { tokens: 0, usd: 0 });
      t.tokens += n.tokens;
      t.usd += n.usd;
    }
  }
  return { tokens: a.tokens + b.tokens, usd: a.usd + b.usd, nodes };
}
