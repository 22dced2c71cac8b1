/** Small helpers shared by the middleware modules. */
import type { CallContext } from "../../registry/index.js";
import { MAX_TIMER_MS } from "../../runtime/timers.js";

/** Resolves after `ms`, or rejects with the abort reason when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => (clearTimeout(t), reject(signal!.reason));
    // Node fires a delay past 2^31 − 1 ms after 1 ms: a `retry { max_delay 600h }` did not wait.
    const t = setTimeout(() => (signal?.removeEventListener("abort", onAbort), resolve()), Math.min(ms, MAX_TIMER_MS));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Where an error happened, for `NodeError`s raised by the harness. */
export function whereOf(ctx: CallContext | undefined): { graph?: string; node?: string; taskId?: string; step?: number } {
  return ctx ? { graph: ctx.run.graph, node: ctx.node.name, taskId: ctx.taskId, step: ctx.run.step } : {};
}

/** `node \`x\`` (or `agent \`y\` (node \`x\`)`) for messages. */
export function callerOf(ctx: CallContext | undefined): string {
  if (!ctx) return "a call outside any run";
  return ctx.agent && ctx.agent !== ctx.node.name ? `agent \`${ctx.agent}\` (node \`${ctx.node.name}\`)` : `node \`${ctx.node.name}\``;
}

/** A plain object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A finite number ≥ 0, else undefined. */
export function count(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined;
}
