/**
 * Rate limits per provider (by provider name): requests per minute and estimated tokens
 * per minute as token buckets (each holds up to a minute's allowance and refills
 * continuously), and a cap on calls in flight. A call waits — in arrival order,
 * abortably — until its provider has room; it never fails for being early. The token
 * bucket is charged the estimate before the call (input ≈ 4 characters per token and
 * attachments per part, `attachmentTokens`, plus `maxOutputTokens` or 256) and corrected
 * with the real usage after it, so the per-minute figure tracks what the provider counts.
 */
import { checkConfigPart, RateLimitConfigSchema, requestChars, spentOf, type ChatRequest, type ChatResponse, type ModelCall, type ModelMiddleware, type RateLimitConfig } from "../../registry/index.js";
import { sleep as realSleep } from "./util.js";

export interface RateLimitOptions {
  /** Limits by provider name; providers not named are not limited. */
  readonly limits: Readonly<Record<string, RateLimitConfig>>;
  /** Injected for tests. */
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Input tokens assumed for an image part (`attach { image }`): about the most one image
 * costs at Anthropic (≈ width × height / 750 tokens, images resized to ≤ ~1.15 megapixels:
 * ≈ 1,600) and above OpenAI's high-detail cost on gpt-4o-class models (85 + 170 per
 * 512-pixel tile: ≤ ~1,450). An estimate before the call, not a bill: the reply's usage
 * replaces it.
 */
export const IMAGE_PART_TOKENS = 1_600;

/**
 * Input tokens assumed for a file part (`attach { file }`) at least: about one PDF page at
 * Anthropic (1,500–3,000 tokens of text per page, plus the page as an image). A text file
 * sent inline (`text/*`, JSON, XML, CSV) is estimated at its decoded size, 4 bytes per
 * token, when that is more; the pages of a PDF cannot be counted without parsing it.
 */
export const FILE_PART_TOKENS = 3_000;

const TEXT_MEDIA = /^(text\/|application\/(json|xml|csv|x-ndjson|yaml|x-yaml)$|application\/[\w.-]+\+(json|xml)$)/;

/** Bytes that base64 text `b64` decodes to (its `=` padding left out). */
const base64Bytes = (b64: string): number => Math.max(0, Math.floor((b64.length * 3) / 4) - (b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0));

/**
 * Estimated input tokens of the image and file parts of a request's messages
 * (`ChatMessage.parts`): `IMAGE_PART_TOKENS` per image, `FILE_PART_TOKENS` per file or a
 * text file's decoded size at 4 bytes per token when more. Providers bill attachments by
 * their content, not by the message text `requestChars` measures; left out, a call with
 * 20 images was estimated at its prompt alone and passed any budget's check before it.
 */
export function attachmentTokens(r: Pick<ChatRequest, "messages">): number {
  let tokens = 0;
  for (const m of r.messages) {
    if (!m.parts?.length) continue;
    for (const p of m.parts) {
      if (p.kind === "image") tokens += IMAGE_PART_TOKENS;
      else {
        const bytes = typeof p.data === "string" && typeof p.mediaType === "string" && TEXT_MEDIA.test(p.mediaType) ? base64Bytes(p.data) : 0;
        tokens += Math.max(FILE_PART_TOKENS, Math.ceil(bytes / 4));
      }
    }
  }
  return tokens;
}

/**
 * Estimated input + output tokens of a request, for budgets and token rate limits: its
 * text at ≈ 4 characters per token (as `estimateTokens`), its attachments
 * (`attachmentTokens`), and `maxOutputTokens` (else `expectedOutputTokens`).
 */
export function estimateRequestTokens(r: ChatRequest, expectedOutputTokens = 256): number {
  const chars = requestChars(r);
  // A `maxOutputTokens` that is not a whole number ≥ 1 (a script's -1 or NaN) must not lower the estimate.
  const out = r.maxOutputTokens !== undefined && Number.isSafeInteger(r.maxOutputTokens) && r.maxOutputTokens >= 1 ? r.maxOutputTokens : expectedOutputTokens;
  return Math.ceil(chars / 4) + attachmentTokens(r) + out;
}

class Bucket {
  private level: number;
  private at: number;
  constructor(
    readonly capacity: number,
    private readonly perMs: number,
    private readonly now: () => number,
  ) {
    this.level = capacity;
    this.at = now();
  }
  private refill(): void {
    const t = this.now();
    this.level = Math.min(this.capacity, this.level + (t - this.at) * this.perMs);
    this.at = t;
  }
  /** Ms until `amount` (capped at the capacity) is available; 0 when it is. */
  waitFor(amount: number): number {
    this.refill();
    const need = Math.min(amount, this.capacity) - this.level;
    return need <= 0 ? 0 : Math.ceil(need / this.perMs);
  }
  take(amount: number): void {
    this.refill();
    this.level -= amount;
  }
}

class ProviderLimiter {
  private readonly requests?: Bucket;
  private readonly tokens?: Bucket;
  private inFlight = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: RateLimitConfig,
    now: () => number,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  ) {
    if (config.requestsPerMinute) this.requests = new Bucket(config.requestsPerMinute, config.requestsPerMinute / 60_000, now);
    if (config.tokensPerMinute) this.tokens = new Bucket(config.tokensPerMinute, config.tokensPerMinute / 60_000, now);
  }

  /** Waits (in arrival order) until a request of `tokens` fits, then takes it. */
  async acquire(tokens: number, signal: AbortSignal | undefined): Promise<void> {
    const previous = this.turn;
    let done!: () => void;
    this.turn = new Promise((resolve) => (done = resolve));
    try {
      await previous;
      for (;;) {
        signal?.throwIfAborted();
        if (this.config.maxConcurrent && this.inFlight >= this.config.maxConcurrent) {
          await this.slotFreed(signal);
          continue;
        }
        const wait = Math.max(this.requests?.waitFor(1) ?? 0, this.tokens?.waitFor(tokens) ?? 0);
        if (wait === 0) break;
        await this.sleep(wait, signal);
      }
      this.requests?.take(1);
      this.tokens?.take(tokens);
      this.inFlight++;
    } finally {
      done();
    }
  }

  release(estimated: number, actual: number | undefined): void {
    this.inFlight--;
    if (actual !== undefined) this.tokens?.take(actual - estimated);
    this.slotWaiters.shift()?.();
  }

  private slotFreed(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const wake = () => (signal?.removeEventListener("abort", onAbort), resolve());
      const onAbort = () => {
        this.slotWaiters.splice(this.slotWaiters.indexOf(wake), 1);
        reject(signal!.reason);
      };
      this.slotWaiters.push(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

/**
 * The rate-limit layer of the chain (see the module comment).
 * @param options `limits` by provider name (`defineConfig({ middleware: { rateLimit } })`),
 *   checked here: each figure a number > 0 (`maxConcurrent` a whole one) and no unknown
 *   key — the limiter reads 0, like an absent figure, as "no limit".
 * @throws ConfigError naming each bad key (`middleware.rateLimit.openai.requestsPerMinute`).
 */
export function rateLimitMiddleware(options: RateLimitOptions): ModelMiddleware {
  checkConfigPart(RateLimitConfigSchema, options?.limits, ["middleware", "rateLimit"]);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const limiters = new Map<string, ProviderLimiter>();
  return {
    name: "rate_limit",
    // Providers without a limit pass straight through (no async frame of this layer).
    wrap: (next) => (call) => (options.limits[call.model.provider.name] ? limited(next, call) : next(call)),
  };
  async function limited(next: (c: ModelCall) => Promise<ChatResponse>, call: ModelCall): Promise<ChatResponse> {
    {
      const provider = call.model.provider.name;
      const config = options.limits[provider]!;
      let limiter = limiters.get(provider);
      if (!limiter) limiters.set(provider, (limiter = new ProviderLimiter(config, now, sleep)));
      const estimated = estimateRequestTokens(call.request);
      await limiter.acquire(estimated, call.signal);
      let res: ChatResponse | undefined;
      try {
        res = await next(call);
        return res;
      } finally {
        // Reported usage is the provider's word: a count that is not one (negative, NaN) keeps the estimate.
        limiter.release(estimated, res ? spentOf(res.usage, { tokens: estimated, usd: 0 }).tokens : undefined);
      }
    }
  }
}
