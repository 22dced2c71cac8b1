/**
 * What a budgeted model call spent across its attempts, as the provider end of the chain
 * sees them (`providerHandler`): the budget middleware makes one meter per call
 * (`ModelCall.meter`), the innermost handler records each attempt that reaches the
 * provider — the output it streams and, when it fails, what it is charged — and the
 * middleware settles the call's reservation with the total (`stdlib/middleware/budget.ts`).
 *
 * Charging rule for an attempt that failed (a provider error, a timeout, an abort, a
 * stream cut mid-way): the usage its error reports (`error.usage`, as a provider adapter
 * attaches what the vendor reported before the failure), each figure that is not a count
 * replaced by what is known here — input: the prompt's estimated input tokens (the
 * estimate its reservation counted: the prompt was sent, and a vendor may bill a request
 * that fails after reading it); output: the output streamed before it failed (text and
 * whole tool calls, ≈ 4 characters per token, `estimateTokensOfLength`). A reported
 * output below what was streamed is raised to it. Priced at the model's price. An attempt
 * that answered is kept too (`succeed`): a call that fails after it (an output validator's
 * reject) is charged its usage. Every
 * attempt is charged, so retries by the retry middleware (inside the budget layer) count
 * one by one, and the budget bounds a node that keeps failing. A reported input below
 * the floor of the prompt's size (`usage-floor.ts`) is raised to it, as a reply's is.
 *
 * Output is counted as it arrives, from two sources: what the provider says it received
 * (`ChatOptions.onOutput`: text, hidden reasoning and tool-call fragments, `received`)
 * and what it passed on through the streaming callbacks (`streamed`); the larger counts.
 * With a `guard` (the budget's), each increase is checked: once the output so far — at
 * the rate a stopped attempt is charged (`estimateTokensOfLength`, ≈ 4 characters per
 * token), so what it is charged stays within the limit but for the last piece read —
 * would cross what the budget has left, the guard's error is recorded (`stopped`) and
 * thrown into the provider's read loop, and `onStop` aborts the request: a server that
 * ignores `maxOutputTokens` is cut off as it crosses, not charged afterwards. (It counted
 * at the usage floor's 6 characters per token, and the charge at 4 left a thread's spend
 * above its limit by up to half of what the last call streamed.) The price: an honest
 * reply at r > 4 characters per token is stopped once it has used 4/r of what the budget
 * has left (~89% for English prose, 67% at r = 6), though it might have fit.
 */
import { priceUsage, type ModelPrice } from "./registered-model.js";
import { estimateTokensOfLength } from "./provider.js";

/**
 * Decides, as output arrives, whether a call may go on: given the output tokens so far (at
 * the charging rate, `estimateTokensOfLength`) and what the call's failed attempts were
 * charged, returns the error to stop it with, or undefined. `phase`: `"output"` as output
 * arrives; `"failed"` once an attempt has failed and been charged (`outputTokens` 0; its
 * error, if any, is not used: the attempt is over); `"retry"` before a retried attempt
 * reaches the provider (`outputTokens` 0): the error refuses the attempt before it is made.
 */
export type OutputGuard = (outputTokens: number, failed: { readonly tokens: number; readonly usd: number }, phase?: "output" | "failed" | "retry") => Error | undefined;

/**
 * Decides, before a retried attempt reaches the provider and after the guard let it (phase
 * `"retry"`), whether an account outside this process covers it — waiting for what is in
 * flight there (the pool account's top-up, `stdlib/middleware/gate-hold.ts`): resolves to
 * the error refusing the attempt, or undefined.
 */
export type AttemptAdmission = (failed: { readonly tokens: number; readonly usd: number }) => Promise<Error | undefined>;

/** A figure a meter charges as given: a number ≥ 0 (infinity included: it fails closed). */
const isFigure = (x: unknown): x is number => typeof x === "number" && x >= 0;

export class CallMeter {
  private chars = 0;
  private receivedChars = 0;
  /** `streamedChars` when the guard last ran on the current attempt. */
  private checkedChars = 0;
  private stop: Error | undefined;
  /** Called once when the guard stops the call (the provider end aborts the request). */
  onStop: ((error: Error) => void) | undefined;
  private made = 0;
  private failedTokens = 0;
  private failedUsd = 0;
  private readonly replies: unknown[] = [];

  /**
   * @param inputTokens the prompt's estimated input tokens (the budget middleware's estimate).
   * @param price the model's price (USD per million tokens), when it has one.
   * @param guard checks the output as it arrives (see the module comment).
   * @param admit checks a retried attempt against an account outside this process, waiting for it (`AttemptAdmission`).
   */
  constructor(
    readonly inputTokens: number,
    private readonly price?: ModelPrice,
    private readonly guard?: OutputGuard,
    private readonly admit?: AttemptAdmission,
  ) {}

  /**
   * An attempt is about to reach the provider: what it streams is counted from 0. A retried
   * attempt (not the first) is first put to the guard (phase `"retry"`), with what the failed
   * attempts were charged, then to `admit` (awaited): a limit is charged before the work,
   * not only as output arrives.
   * @throws (rejects with) the guard's or `admit`'s error (recorded as `stopped`) when the
   *   attempt may not be made; the error the guard stopped an earlier attempt with, when it did.
   */
  async begin(): Promise<void> {
    if (this.stop) throw this.stop;
    if (this.made > 0 && this.guard) {
      const e = this.guard(0, this.failed(), "retry");
      if (e) throw (this.stop = e);
    }
    if (this.made > 0 && this.admit) {
      const e = await this.admit(this.failed());
      if (e) throw (this.stop = e);
    }
    this.made++;
    this.chars = 0;
    this.receivedChars = 0;
    this.checkedChars = 0;
  }

  /**
   * The current attempt passed on `chars` UTF-16 code units of output (a text delta, a
   * tool call's name and JSON arguments).
   * @throws the guard's error once the output crosses what the budget has left.
   */
  streamed(chars: number): void {
    if (chars > 0) {
      this.chars += chars;
      this.check();
    }
  }

  /**
   * The provider received `chars` UTF-16 code units of output, hidden reasoning included (`ChatOptions.onOutput`).
   * @throws the guard's error once the output crosses what the budget has left.
   */
  received(chars: number): void {
    if (chars > 0) {
      this.receivedChars += chars;
      this.check();
    }
  }

  /** The error the guard stopped the current attempt with, if it did. */
  get stopped(): Error | undefined {
    return this.stop;
  }

  private check(): void {
    if (this.stop) throw this.stop;
    // A provider reports each piece twice (received, then passed on): the guard runs once
    // per increase of the known output, not per report.
    const known = this.streamedChars;
    if (!this.guard || known <= this.checkedChars) return;
    this.checkedChars = known;
    const e = this.guard(estimateTokensOfLength(known), this.failed());
    if (!e) return;
    this.stop = e;
    this.onStop?.(e);
    throw e;
  }

  /** UTF-16 code units of output the current attempt is known to have produced so far: the larger of what it passed on and what the provider received. */
  get streamedChars(): number {
    return Math.max(this.chars, this.receivedChars);
  }

  /**
   * Output tokens the current attempt is known to have produced so far (estimated from
   * `streamedChars`): hidden reasoning the provider received counts, so a call the guard
   * stops mid-reasoning is charged it, not only what it passed on.
   */
  get streamedTokens(): number {
    return estimateTokensOfLength(this.streamedChars);
  }

  /** Attempts that reached the provider. */
  get attempts(): number {
    return this.made;
  }

  /**
   * The current attempt failed with `error`: charges it (see the module's rule) and tells
   * the guard (phase `"failed"`).
   * @param inputFloor the least input it is charged when its error reports a count (`usageFloor`'s input).
   */
  fail(error: unknown, inputFloor = 0): void {
    const u = error && typeof error === "object" ? (error as { usage?: unknown }).usage : undefined;
    const r = u && typeof u === "object" ? (u as Record<string, unknown>) : {};
    const input = isFigure(r.inputTokens) ? Math.max(r.inputTokens, inputFloor) : this.inputTokens;
    const output = Math.max(isFigure(r.outputTokens) ? r.outputTokens : 0, this.streamedTokens);
    this.failedTokens += input + output;
    if (this.price) this.failedUsd += priceUsage({ inputTokens: input, outputTokens: output }, this.price);
    else if (isFigure(r.costUsd)) this.failedUsd += r.costUsd;
    // Told at once (the budget holds it for the other calls while a retry waits its backoff).
    this.guard?.(0, this.failed(), "failed");
  }

  /**
   * The current attempt answered with `usage` (priced, as the provider end returns it).
   * Kept for a call that still fails after it — a reply an output validator rejects, a
   * cache that cannot store it: the provider was paid, so the call is charged its usage.
   */
  succeed(usage: unknown): void {
    this.replies.push(usage);
  }

  /** Usage of the attempts that answered (`succeed`), in order. */
  answered(): readonly unknown[] {
    return this.replies;
  }

  /** What the failed attempts so far are charged: tokens (input + output) and USD. */
  failed(): { tokens: number; usd: number } {
    return { tokens: this.failedTokens, usd: this.failedUsd };
  }

  /** What the current attempt is known to have used so far: its input estimate plus the output it streamed, priced. */
  observed(): { tokens: number; usd: number } {
    const out = this.streamedTokens;
    return { tokens: this.inputTokens + out, usd: this.price ? priceUsage({ inputTokens: this.inputTokens, outputTokens: out }, this.price) : 0 };
  }
}
