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
 * one by one, and the budget bounds a node that keeps failing.
 */
import { priceUsage, type ModelPrice } from "./registered-model.js";
import { estimateTokensOfLength } from "./provider.js";

/** A figure a meter charges as given: a number ≥ 0 (infinity included: it fails closed). */
const isFigure = (x: unknown): x is number => typeof x === "number" && x >= 0;

export class CallMeter {
  private chars = 0;
  private made = 0;
  private failedTokens = 0;
  private failedUsd = 0;
  private readonly replies: unknown[] = [];

  /**
   * @param inputTokens the prompt's estimated input tokens (the budget middleware's estimate).
   * @param price the model's price (USD per million tokens), when it has one.
   */
  constructor(
    readonly inputTokens: number,
    private readonly price?: ModelPrice,
  ) {}

  /** An attempt is about to reach the provider: what it streams is counted from 0. */
  begin(): void {
    this.made++;
    this.chars = 0;
  }

  /** The current attempt streamed `chars` UTF-16 code units of output (a text delta, a tool call's name and JSON arguments). */
  streamed(chars: number): void {
    if (chars > 0) this.chars += chars;
  }

  /** UTF-16 code units of output the current attempt streamed so far. */
  get streamedChars(): number {
    return this.chars;
  }

  /** Output tokens the current attempt streamed so far (estimated). */
  get streamedTokens(): number {
    return estimateTokensOfLength(this.chars);
  }

  /** Attempts that reached the provider. */
  get attempts(): number {
    return this.made;
  }

  /** The current attempt failed with `error`: charges it (see the module's rule). */
  fail(error: unknown): void {
    const u = error && typeof error === "object" ? (error as { usage?: unknown }).usage : undefined;
    const r = u && typeof u === "object" ? (u as Record<string, unknown>) : {};
    const input = isFigure(r.inputTokens) ? r.inputTokens : this.inputTokens;
    const output = Math.max(isFigure(r.outputTokens) ? r.outputTokens : 0, this.streamedTokens);
    this.failedTokens += input + output;
    if (this.price) this.failedUsd += priceUsage({ inputTokens: input, outputTokens: output }, this.price);
    else if (isFigure(r.costUsd)) this.failedUsd += r.costUsd;
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
