/**
 * What one budgeted model call holds on a distributed run's account across the worker
 * pool (`SpendGate`, `registry/spend-gate.ts`), for the budget middleware
 * (`budget.ts`). The rule is the project's: every limit is charged before the work.
 *
 * - The call is made only once its estimate is claimed on the account (`open`).
 * - A retried attempt is made only once what the failed attempts were charged plus its
 *   estimate is claimed (`cover`): a top-up in flight is waited for, then the decision is
 *   made (before, a retry whose top-up had not landed yet was refused).
 * - A streaming reply claims ahead of its use, a chunk at a time, half a chunk before it
 *   needs it (`want`). Output past what the account granted goes on only for the piece
 *   that crossed it — the provider had produced it already: stopping there saves nothing —
 *   and only while a top-up is in flight; the next piece that finds the call still past
 *   its grant, or any piece once the account refused, stops it (`allowsOutput`). (Before,
 *   a reply went on for as long as a top-up was in flight, and two calls on two workers
 *   both streamed into room only one of their top-ups could get.) A reply reported in one
 *   piece is covered after the call (`cover`); not covered, its task fails.
 * - Claims of one gate in one process are made one after another (`serially`): a call's
 *   first claim waits for the top-ups already in flight of the calls before it, so room
 *   another call's stream is already using goes to that call, not to the new one.
 * - The call settles once, by its key (`settle`; `SpendGate.settle` applies a key once),
 *   retried on a store error: a settle that failed after the store committed it does not
 *   charge the run twice, and one that did not commit is not left as a reservation.
 *
 * After a bank card's authorisation hold (held before the purchase, raised by an
 * incremental authorisation, replaced by the real charge once) and the conditional
 * `UPDATE … WHERE spent + est <= limit` of an account ledger.
 */
import type { GateLimits, GateRefusal, SpendGate } from "../../registry/index.js";

/** Tokens and USD. */
export interface Amount {
  readonly tokens: number;
  readonly usd: number;
}

/** The last claim of each gate in this process (`serially`). */
const tails = new WeakMap<SpendGate, Promise<unknown>>();

/** Runs `claim` on `gate` after the claims of it this process made before (their failures are theirs). */
function serially<T>(gate: SpendGate, claim: () => Promise<T>): Promise<T> {
  const done = (tails.get(gate) ?? Promise.resolve()).then(claim, claim);
  tails.set(gate, done.catch(() => undefined));
  return done;
}

/** How many times a settle is tried before its store error is the call's (each with the same key). */
const SETTLE_TRIES = 3;

/**
 * One call's hold on the run's account (see the module comment). State: `granted` — what
 * the account granted it (claimed: the estimate, plus every top-up that landed); `wanted`
 * — the most it has been seen to need; `topping` — the top-up claim in flight (one at a
 * time; a need seen meanwhile is claimed after it); `refused` — the account refused more
 * (or the store failed); `closed` — settling began. What the call spent is given to
 * `settle`, which replaces the whole grant by it, once. One per budgeted call of a gated
 * run, made by the budget middleware; not shared between calls.
 */
export class GateHold {
  /** What the account granted the call (tokens, USD): all it may use. */
  private granted: Amount = { tokens: 0, usd: 0 };
  /** The most the call has been seen to need; a need seen while a top-up is in flight is claimed after it. */
  private readonly wanted = { tokens: 0, usd: 0 };
  /** The top-up claim in flight, if any. */
  private topping: Promise<void> | undefined;
  /** The account refused a top-up, or the store failed: no more is claimed. */
  private refused = false;
  /** Settling began: no top-up starts after it. */
  private closed = false;
  /** The last piece of output was past the grant (it was let through: see `allowsOutput`). */
  private crossed = false;
  /** The estimate was claimed (`open`): there is something to settle. */
  private opened = false;

  /**
   * @param gate the run's account (`SpendLedger.gate`).
   * @param node the calling node (the account's node row).
   * @param limits the limits the middleware resolved for the call.
   * @param chunk tokens a top-up claims at least (the call's estimated output, ≥ 256).
   * @param priceOf USD of `n` output tokens at the model's price (0 without one).
   * @param key the call's id, unique in the run: its settle is applied once.
   */
  constructor(
    private readonly gate: SpendGate,
    private readonly node: string,
    private readonly limits: GateLimits,
    private readonly chunk: number,
    private readonly priceOf: (outputTokens: number) => number,
    private readonly key: string,
  ) {}

  /** What the account granted the call so far. */
  get holds(): Amount {
    return this.granted;
  }

  /**
   * Claims the call's estimate, before the call is made.
   * @returns the account's refusal (nothing held), or undefined once held.
   * @throws whatever the store throws (nothing held: the call is not made).
   */
  async open(tokens: number, usd: number): Promise<GateRefusal | undefined> {
    const refused = await serially(this.gate, () => this.gate.claim(this.node, tokens, usd, this.limits));
    if (!refused) (this.granted = { tokens, usd }), (this.opened = true);
    return refused;
  }

  /** True when the grant covers `tokens`/`usd` in all (a float's rounding aside). */
  covers(tokens: number, usd: number): boolean {
    return tokens <= this.granted.tokens && usd <= this.granted.usd + 1e-12;
  }

  /**
   * Asks for room up to `tokens`/`usd` in all, claimed in the background unless the grant
   * covers it: `least` tokens at least (a chunk, for a stream claiming ahead; 0 for what a
   * finished reply or a retry needs exactly).
   */
  want(tokens: number, usd: number, least = this.chunk): void {
    this.wanted.tokens = Math.max(this.wanted.tokens, tokens);
    this.wanted.usd = Math.max(this.wanted.usd, usd);
    if (!this.opened || this.topping || this.refused || this.closed || this.covers(this.wanted.tokens, this.wanted.usd)) return;
    const t = Math.max(least, Math.ceil(this.wanted.tokens - this.granted.tokens));
    const u = Math.max(this.priceOf(t), this.wanted.usd - this.granted.usd);
    this.topping = serially(this.gate, () => this.gate.claim(this.node, t, u, this.limits))
      .then(
        (refusal) => {
          if (refusal) this.refused = true;
          else this.granted = { tokens: this.granted.tokens + t, usd: this.granted.usd + u };
        },
        () => void (this.refused = true),
      )
      .finally(() => {
        this.topping = undefined;
        this.want(this.wanted.tokens, this.wanted.usd, 0);
      });
  }

  /**
   * Whether a reply may go on, its use so far `tokens`/`usd` (see the module comment):
   * covered, or the first piece past the grant while a top-up that may cover it is in flight.
   */
  allowsOutput(tokens: number, usd: number): boolean {
    if (this.covers(tokens, usd)) {
      this.crossed = false;
      return true;
    }
    this.want(tokens, usd, 0);
    // Past the grant: once, while a claim that may cover it is in flight; never after a refusal.
    if (this.refused || this.crossed || !this.topping) return false;
    this.crossed = true;
    return true;
  }

  /**
   * Waits until the grant covers `tokens`/`usd` in all or the account refused more: claims
   * what is missing (after any top-up in flight) and waits for it.
   * @returns true when covered.
   */
  async cover(tokens: number, usd: number): Promise<boolean> {
    for (;;) {
      if (this.covers(tokens, usd)) return true;
      this.want(tokens, usd, 0);
      if (!this.topping) return false; // refused, or settling: nothing more is claimed
      await this.topping;
    }
  }

  /**
   * Replaces all the call holds on the account (after any top-up in flight) by `spent`,
   * once (by the call's key), trying again on a store error; nothing when it holds nothing.
   * @throws the store's error when every try failed (the reservation may stay counted: fails closed).
   */
  async settle(spent: Amount): Promise<void> {
    this.closed = true;
    while (this.topping) await this.topping;
    if (!this.opened) return;
    for (let i = 1; ; i++) {
      try {
        return await this.gate.settle(this.node, this.granted, spent, this.key);
      } catch (e) {
        if (i >= SETTLE_TRIES) throw e;
        await new Promise((ok) => setTimeout(ok, 25 * i));
      }
    }
  }
}
