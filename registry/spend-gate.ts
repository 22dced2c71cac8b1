/**
 * A run's budget held across processes (`SpendLedger.gate`). A ledger in memory
 * (`SpendBook`) sees the reservations of calls in its own process at once; the branches
 * of a distributed fan-out (`distribute: branches`) run in other processes of a worker
 * pool, where that ledger is not. A gate is the run's one shared account (in `scale/`, a
 * Postgres row per run and per node: `pg-spend-gate.ts`): the budget middleware claims a
 * call's estimate there, atomically and conditionally — refused when it would bring a
 * limit past what is allowed — after its in-memory checks and before the call is made,
 * and settles it (the reservation replaced by what the call used) after; a call that
 * fails is settled at what it was charged. In-process runs have no gate. A settle names
 * the call (`key`): the store applies it once, so a settle retried after a store error —
 * which may have come after the store committed it — does not charge the run twice.
 *
 * After a bank's authorisation hold: the amount is held at the shared account before the
 * purchase, and the hold replaced by the real charge after.
 */

/** The limits a claim is checked against (figures absent: no limit), as the budget middleware resolved them for the call. */
export interface GateLimit {
  readonly tokens?: number;
  readonly usd?: number;
}

/**
 * The limits of one claim: `run` and `node`, the call's own (its graph's, its node's, the
 * config's, the enclosing runs'), checked against the account's run and node rows; and
 * `enclosing`, the limits of the runs enclosing the call's run alone (`CallContext.enclosingBudgets`
 * and the config's run limit) — what a run nested under a thread of its own is held to on
 * the enclosing run's account (`recordingGate`), where its own graph's limits do not apply.
 */
export interface GateLimits {
  readonly run: GateLimit;
  readonly node: GateLimit;
  readonly enclosing?: GateLimit;
}

/** A claim the gate refused: which limit, and the totals the call would have brought it to. */
export interface GateRefusal {
  readonly scope: "run" | "node";
  readonly tokens: number;
  readonly usd: number;
}

/** The run's shared account of spend under budgets (see the module comment). */
export interface SpendGate {
  /**
   * Reserves `tokens`/`usd` for a call of `node` on the run's and the node's account when
   * neither `limits.run` nor `limits.node` would be passed by what is spent, reserved and
   * this call; atomically (two claims never both pass a limit only one fits).
   * @returns undefined when reserved, else the refusal (nothing reserved).
   * @throws whatever the store throws (nothing reserved: the call is not made).
   */
  claim(node: string, tokens: number, usd: number, limits: GateLimits): Promise<GateRefusal | undefined>;
  /**
   * Replaces a claim's reservation (`reserved`, as claimed) by what the call spent
   * (`spent`: counts ≥ 0), once per `key` (the call's id, unique in the run): a settle
   * with a key already applied changes nothing, so a caller may retry one that failed.
   * @throws whatever the store throws (then the settle may or may not have been applied: retry it with the same key).
   */
  settle(node: string, reserved: { readonly tokens: number; readonly usd: number }, spent: { readonly tokens: number; readonly usd: number }, key: string): Promise<void>;
}

/**
 * `gate` for the calls of a run nested in a gated run under a thread of its own (a CodeAct
 * `graph_run({thread})` inside a pool worker's node): its calls are claimed and settled on
 * the enclosing run's account, so the other workers see them, against the enclosing runs'
 * limits (`GateLimits.enclosing`) — so a nested call is bounded by the smaller of what its
 * own budget leaves (checked by its own ledger: its thread's spend, not the enclosing
 * account's) and what the enclosing run has left across the pool. Its own graph's and
 * node's limits are not put to the enclosing account (they count its thread, not the
 * enclosing run). Before, it claimed against no limit: a nested run under a budget of its
 * own larger than what the enclosing run had left spent past the enclosing budget.
 */
export function recordingGate(outer: SpendGate): SpendGate {
  return {
    claim: (node, tokens, usd, limits) => outer.claim(node, tokens, usd, { run: limits.enclosing ?? {}, node: {} }),
    settle: (node, reserved, spent, key) => outer.settle(node, reserved, spent, key),
  };
}
