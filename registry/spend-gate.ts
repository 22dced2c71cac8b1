/**
 * A run's budget held across processes (`SpendLedger.gate`). A ledger in memory
 * (`SpendBook`) sees the reservations of calls in its own process at once; the branches
 * of a distributed fan-out (`distribute: branches`) run in other processes of a worker
 * pool, where that ledger is not. A gate is the run's one shared account (in `scale/`, a
 * Postgres row per run and per node: `pg-spend-gate.ts`): the budget middleware claims a
 * call's estimate there, atomically and conditionally — refused when it would bring a
 * limit past what is allowed — after its in-memory checks and before the call is made,
 * and settles it (the reservation replaced by what the call used) after; a call that
 * fails is settled at what it was charged. In-process runs have no gate.
 *
 * After a bank's authorisation hold: the amount is held at the shared account before the
 * purchase, and the hold replaced by the real charge after.
 */

/** The limits a claim is checked against (figures absent: no limit), as the budget middleware resolved them for the call. */
export interface GateLimit {
  readonly tokens?: number;
  readonly usd?: number;
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
  claim(node: string, tokens: number, usd: number, limits: { readonly run: GateLimit; readonly node: GateLimit }): Promise<GateRefusal | undefined>;
  /** Replaces a claim's reservation (`reserved`, as claimed) by what the call spent (`spent`: counts ≥ 0). */
  settle(node: string, reserved: { readonly tokens: number; readonly usd: number }, spent: { readonly tokens: number; readonly usd: number }): Promise<void>;
}

/**
 * `gate` for the calls of a run nested in a gated run under a thread of its own (a CodeAct
 * `graph_run({thread})` inside a pool worker's node): its calls are claimed and settled on
 * the enclosing run's account, so the other workers see them, but against no limit of
 * their own — the nested run's limits are its own graph's, checked by its ledger, not the
 * enclosing account's. (Without it, such calls were charged in one process's memory only.)
 */
export function recordingGate(outer: SpendGate): SpendGate {
  return {
    claim: (node, tokens, usd) => outer.claim(node, tokens, usd, { run: {}, node: {} }),
    settle: (node, reserved, spent) => outer.settle(node, reserved, spent),
  };
}
