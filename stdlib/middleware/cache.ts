/**
 * Response cache: content-addressed on the normalised request (`request-key.ts`: model
 * id, messages, tools, output schema, route labels, limits — never ids or metadata)
 * plus the provider name. It applies to the calls of nodes whose policy asks for it —
 * the node's `cache true` / `cache { ttl 10m }`, else the graph's `defaults { cache … }`
 * (`language.md` §2.3) — and to nothing else. A hit returns the stored reply marked
 * `cached` (the runtime emits `task_cached`; its cost is 0) and, when the caller streams,
 * delivers it as one text delta plus its tool calls.
 *
 * One store serves every run of the registry, so fan-out branches share it; identical
 * requests in flight at once (branches of one fan-out asking the same thing) make one
 * provider call — the others wait for it (single flight). If the call they wait for is
 * cancelled, a waiter that is still live makes its own.
 */
import type { CacheConfig, ChatResponse, ModelCall, ModelMiddleware, ResponseCacheStore } from "../../registry/index.js";
import { streamWhole } from "../providers/shared.js";
import { requestKey } from "./request-key.js";
import { count, isRecord } from "./util.js";

/** An in-memory LRU store with per-entry expiry. */
export class MemoryCacheStore implements ResponseCacheStore {
  private readonly entries = new Map<string, { value: ChatResponse; expires: number }>();
  constructor(
    private readonly maxEntries = 1_000,
    private readonly now: () => number = Date.now,
  ) {}
  get(key: string): ChatResponse | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (e.expires <= this.now()) return undefined;
    this.entries.set(key, e);
    return e.value;
  }
  set(key: string, value: ChatResponse, ttlMs: number | undefined): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: ttlMs === undefined ? Infinity : this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
  get size(): number {
    return this.entries.size;
  }
}

export interface CacheOptions extends CacheConfig {
  readonly now?: () => number;
}

/** The policy of a call without one (most calls): shared and frozen, no object per call. */
const OFF: { enabled: boolean; ttlMs?: number } = Object.freeze({ enabled: false });

/** The cache policy of a call: enabled, and the entry's time to live (ms) if any. */
export function cachePolicy(call: ModelCall): { enabled: boolean; ttlMs?: number } {
  const ctx = call.context;
  if (!ctx) return OFF;
  const node = ctx.node.cache;
  if (node) return { enabled: node.enabled, ...(node.ttlMs !== undefined ? { ttlMs: node.ttlMs } : {}) };
  const d = ctx.defaults.cache;
  if (typeof d === "boolean") return { enabled: d };
  if (isRecord(d)) {
    const ttl = count(d.ttl);
    return { enabled: d.enabled !== false, ...(ttl !== undefined ? { ttlMs: ttl } : {}) };
  }
  return OFF;
}

export function cacheMiddleware(options: CacheOptions = {}): ModelMiddleware & { readonly store: ResponseCacheStore } {
  const store = options.store ?? new MemoryCacheStore(options.maxEntries, options.now);
  const inFlight = new Map<string, { promise: Promise<ChatResponse>; signal: AbortSignal | undefined }>();
  return {
    name: "cache",
    store,
    wrap: (next) => {
      const hit = async (call: ModelCall, res: ChatResponse, key: string): Promise<ChatResponse> => {
        await streamWhole(res, call, true);
        return { ...res, usage: { ...res.usage, costUsd: 0 }, cached: { key } };
      };
      const miss = (call: ModelCall, key: string, ttlMs: number | undefined): Promise<ChatResponse> => {
        const promise = next(call).then(async (res) => {
          await store.set(key, res, ttlMs);
          return res;
        });
        const entry = { promise, signal: call.signal };
        inFlight.set(key, entry);
        const clear = () => {
          if (inFlight.get(key) === entry) inFlight.delete(key);
        };
        promise.then(clear, clear);
        return promise;
      };
      const cached = async (call: ModelCall, policy: ReturnType<typeof cachePolicy>): Promise<ChatResponse> => {
        const key = requestKey(call.request, call.model.provider.name);
        const stored = await store.get(key);
        if (stored) return hit(call, stored, key);
        const pending = inFlight.get(key);
        if (pending) {
          try {
            return await hit(call, await pending.promise, key);
          } catch (e) {
            // The leader was cancelled (e.g. a `wait first` sibling won): a live waiter asks itself.
            if (!pending.signal?.aborted || call.signal?.aborted) throw e;
          }
        }
        return miss(call, key, policy.ttlMs ?? options.ttlMs);
      };
      // Calls without a cache policy pass straight through (no async frame of this layer).
      return (call) => {
        const policy = cachePolicy(call);
        return policy.enabled ? cached(call, policy) : next(call);
      };
    },
  };
}
