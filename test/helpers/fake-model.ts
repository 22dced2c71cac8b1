/**
 * A model provider for budget and claim tests: answers every call with `content` and the
 * same `usage`, counts its calls, and can hold each call until a gate opens.
 */
import type { ModelProvider, Usage } from "../../registry/index.js";

export interface FakeModelOptions {
  /** The reply's text (default "ok"). */
  readonly content?: string;
  /** Usage reported per call (default 10 + 290 tokens). */
  readonly usage?: Usage;
  /** Provider name (default "fake"). */
  readonly name?: string;
}

/** A provider answering `content` with `usage`; `m.calls` counts calls; `hold`/`release` make calls wait. */
export function fakeModel(options: FakeModelOptions = {}) {
  const m = { calls: 0 };
  const usage = options.usage ?? { inputTokens: 10, outputTokens: 290 };
  let gate = () => {};
  let opened = Promise.resolve();
  const provider: ModelProvider = {
    name: options.name ?? "fake",
    async chat() {
      m.calls++;
      await opened;
      return { message: { content: options.content ?? "ok" }, usage, finishReason: "stop" };
    },
  };
  return {
    m,
    provider,
    /** Calls from now on wait until `release()`. */
    hold: () => void (opened = new Promise<void>((r) => (gate = r))),
    /** Lets waiting and later calls through. */
    release: () => {
      gate();
      opened = Promise.resolve();
    },
  };
}
