/**
 * OpenTelemetry tracing through `@opentelemetry/api` — a no-op until the application
 * registers an OpenTelemetry SDK (or passes a tracer). Spans, nested as the run is:
 *
 *   run {graph} → step {n} → task {node} → chat {model id}   (model call, kind CLIENT)
 *                                        → execute_tool {tool}
 *
 * Model-call spans come from the telemetry middleware, outermost in the chain (so they
 * cover budget checks, cache hits, retries and rate-limit waits) and carry the GenAI
 * semantic-convention attributes (`gen_ai.operation.name`, `gen_ai.system` /
 * `gen_ai.provider.name`, `gen_ai.request.model`, `gen_ai.request.max_tokens`,
 * `gen_ai.response.id`, `gen_ai.response.model`, `gen_ai.response.finish_reasons`,
 * `gen_ai.usage.input_tokens`, `gen_ai.usage.output_tokens`, `gen_ai.agent.name`,
 * `gen_ai.conversation.id` = thread id) plus `ragraph.*` ones (cost in USD, cached and
 * reasoning tokens, cache hit, node). Run, step, task and tool spans are derived from
 * the run's events by `onEvent` (pass it as `RunOptions.onEvent`; `rag run` does),
 * with the events' timestamps, so the runtime's loop has no tracing code in it.
 */
import { createRequire } from "node:module";
import type * as OtelApi from "@opentelemetry/api";
import type { Attributes, Context, Span, Tracer } from "@opentelemetry/api";
import type { CallContext, ChatHandler, ChatResponse, ModelCall, ModelMiddleware, TelemetryConfig } from "../../registry/index.js";
import { classifyError } from "../../runtime/errors.js";
import type { RunEvent } from "../../runtime/index.js";

export interface TelemetryMiddleware extends ModelMiddleware {
  /** Derives run, step, task and tool spans from run events; pass as `RunOptions.onEvent`. */
  readonly onEvent: (event: RunEvent) => void;
}

const key = (...parts: (string | number)[]) => parts.join("|");

let api: typeof OtelApi | undefined;
/**
 * `@opentelemetry/api`, loaded when a telemetry middleware first traces: every `rag`
 * command installs the middleware, and the API's module graph cost ≈ 10 ms of start-up to commands that
 * trace nothing (`rag check`). It is the package's CommonJS build either way (its export
 * map's `default`, what an ESM `import` of it resolves to in Node), so the global tracer
 * provider an application registers is the one found here.
 */
function otelApi(): typeof OtelApi {
  return (api ??= createRequire(import.meta.url)("@opentelemetry/api") as typeof OtelApi);
}

export function telemetryMiddleware(config: TelemetryConfig = {}): TelemetryMiddleware {
  const tracer = (): Tracer => config.tracer ?? otelApi().trace.getTracer("ragraph");
  /**
   * False while no OpenTelemetry SDK is registered (and no tracer was configured): the
   * global provider is then the API's own proxy with no delegate, whose spans record
   * nothing. Asked per call, not once, so an SDK registered later (or after
   * `trace.disable()`) is picked up by the next call.
   */
  const mayRecord = (): boolean => {
    if (config.tracer) return true;
    const provider = otelApi().trace.getTracerProvider();
    return !(provider instanceof otelApi().ProxyTracerProvider) || provider.getDelegateTracer("ragraph") !== undefined;
  };
  /** Open spans by key; `byRun` lists each run's keys so a run's end closes what is left. */
  const open = new Map<string, Span>();
  const byRun = new Map<string, Set<string>>();
  /** Parent context of a child run's span: the task that started it. */
  const childParents = new Map<string, Context>();
  const tools = new Map<string, Span[]>();

  const ctxOf = (k: string | undefined): Context => {
    const s = k ? open.get(k) : undefined;
    return s ? otelApi().trace.setSpan(otelApi().context.active(), s) : otelApi().context.active();
  };
  const start = (runId: string, k: string, name: string, parent: Context, attributes: Attributes, time: number, kind = otelApi().SpanKind.INTERNAL) => {
    const span = tracer().startSpan(name, { kind, attributes, startTime: time }, parent);
    open.set(k, span);
    let keys = byRun.get(runId);
    if (!keys) byRun.set(runId, (keys = new Set()));
    keys.add(k);
    return span;
  };
  const end = (runId: string, k: string, time: number, error?: Record<string, unknown>) => {
    const span = open.get(k);
    if (!span) return;
    if (error) fail(span, error);
    span.end(time);
    open.delete(k);
    byRun.get(runId)?.delete(k);
  };
  const fail = (span: Span, error: Record<string, unknown>) => {
    span.setStatus({ code: otelApi().SpanStatusCode.ERROR, message: String(error.message ?? "") });
    span.setAttribute("error.type", String(error.errorClass ?? error.code ?? error.name ?? "error"));
  };

  const onEvent = (e: RunEvent): void => {
    const t = e.timestamp;
    const taskKey = e.taskId ? key(e.runId, "task", e.taskId) : undefined;
    switch (e.type) {
      case "run_started": {
        const parent = childParents.get(e.runId) ?? otelApi().context.active();
        childParents.delete(e.runId);
        start(e.runId, key(e.runId), `run ${e.graph}`, parent, { "ragraph.graph": e.graph, "ragraph.run_id": e.runId, "ragraph.thread_id": e.threadId, "ragraph.blueprint_hash": e.hash, "gen_ai.conversation.id": e.threadId }, t);
        break;
      }
      case "step_started":
        start(e.runId, key(e.runId, "step", e.step), `step ${e.step}`, ctxOf(key(e.runId)), { "ragraph.step": e.step, "ragraph.tasks": e.tasks.length }, t);
        break;
      case "step_completed":
        end(e.runId, key(e.runId, "step", e.step), t);
        break;
      case "task_started": {
        const agentic = e.kind === "agent" || e.kind === "subagent";
        start(e.runId, taskKey!, `task ${e.node}`, ctxOf(key(e.runId, "step", e.step)), {
          "ragraph.node": e.node ?? "",
          "ragraph.task_id": e.taskId ?? "",
          "ragraph.kind": e.kind,
          "ragraph.trigger": e.trigger,
          ...(agentic ? { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": e.node ?? "" } : {}),
        }, t);
        break;
      }
      case "task_retried":
        open.get(taskKey!)?.addEvent("retry", { "ragraph.attempt": e.attempt, "ragraph.delay_ms": e.delayMs, "error.type": String(e.error.errorClass ?? e.error.code ?? "error") }, t);
        break;
      case "task_completed":
        end(e.runId, taskKey!, t);
        break;
      case "task_failed":
        end(e.runId, taskKey!, t, e.error);
        break;
      case "subrun_started":
        childParents.set(e.childRunId, ctxOf(taskKey));
        break;
      case "tool_started": {
        const k = key(e.runId, "tool", e.taskId ?? "", e.callId ?? e.tool);
        const span = tracer().startSpan(`execute_tool ${e.tool}`, { attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": e.tool, "gen_ai.tool.type": "function", ...(e.callId ? { "gen_ai.tool.call.id": e.callId } : {}) }, startTime: t }, ctxOf(taskKey));
        const list = tools.get(k) ?? [];
        list.push(span);
        tools.set(k, list);
        break;
      }
      case "tool_completed": {
        const k = key(e.runId, "tool", e.taskId ?? "", e.callId ?? e.tool);
        const span = tools.get(k)?.shift();
        if (!tools.get(k)?.length) tools.delete(k);
        if (!span) break;
        if (!e.ok) fail(span, { message: e.error, name: "tool_error" });
        span.end(t);
        break;
      }
      case "run_completed":
      case "run_interrupted":
      case "run_failed": {
        // A pause ends the spans too (the resumed run is a new run span); tasks that paused end with it.
        const keys = [...(byRun.get(e.runId) ?? [])].filter((k) => k !== key(e.runId));
        for (const k of keys.reverse()) end(e.runId, k, t, e.type === "run_failed" ? e.error : undefined);
        const run = open.get(key(e.runId));
        if (run) {
          run.setAttribute("ragraph.steps", e.steps);
          if (e.type === "run_interrupted") run.setAttribute("ragraph.interrupted", true);
          end(e.runId, key(e.runId), t, e.type === "run_failed" ? e.error : undefined);
        }
        byRun.delete(e.runId);
        break;
      }
    }
  };

  const parentOf = (ctx: CallContext | undefined): Context => (ctx ? ctxOf(key(ctx.run.runId, "task", ctx.taskId)) : otelApi().context.active());

  return {
    name: "telemetry",
    onEvent,
    // Without an SDK the call goes straight through: no no-op span (a proxy tracer and a
    // non-recording span per call), no parent-context lookup, no async frame of this layer.
    wrap: (next) => (call) => (mayRecord() ? traced(next, call) : next(call)),
  };

  async function traced(next: ChatHandler, call: ModelCall): Promise<ChatResponse> {
    const r = call.request;
    const provider = call.model.provider.name;
    const span = tracer().startSpan(`chat ${r.model}`, { kind: otelApi().SpanKind.CLIENT }, parentOf(call.context));
    // Without an OpenTelemetry SDK the span records nothing: skip its attributes (set
    // after the start, so a sampler sees only the name and kind).
    if (!span.isRecording()) {
      span.end();
      return next(call);
    }
    span.setAttributes({
      "gen_ai.operation.name": "chat",
      "gen_ai.system": provider,
      "gen_ai.provider.name": provider,
      "gen_ai.request.model": r.model,
      "ragraph.model": call.model.name,
      ...(r.maxOutputTokens !== undefined ? { "gen_ai.request.max_tokens": r.maxOutputTokens } : {}),
      ...(r.temperature !== undefined ? { "gen_ai.request.temperature": r.temperature } : {}),
      ...(r.output ? { "gen_ai.output.type": "json" } : {}),
      ...(call.context ? { "ragraph.node": call.context.node.name, "gen_ai.conversation.id": call.context.run.threadId } : {}),
      ...(call.context?.agent ? { "gen_ai.agent.name": call.context.agent } : {}),
    });
    const t0 = performance.now();
    let first = true;
    const onToken = call.onToken;
    const withTiming = onToken
      ? {
          ...call,
          onToken: (d: string) => {
            if (first) (first = false), span.setAttribute("gen_ai.response.time_to_first_chunk", (performance.now() - t0) / 1000);
            return onToken(d);
          },
        }
      : call;
    try {
      const res = await next(withTiming);
      const u = res.usage;
      span.setAttributes({
        "gen_ai.response.finish_reasons": [res.finishReason],
        "gen_ai.usage.input_tokens": u.inputTokens,
        "gen_ai.usage.output_tokens": u.outputTokens,
        ...(res.responseId ? { "gen_ai.response.id": res.responseId } : {}),
        ...(res.responseModel ? { "gen_ai.response.model": res.responseModel } : {}),
        ...(u.cachedTokens ? { "ragraph.usage.cached_tokens": u.cachedTokens } : {}),
        ...(u.reasoningTokens ? { "ragraph.usage.reasoning_tokens": u.reasoningTokens } : {}),
        ...(u.costUsd !== undefined ? { "ragraph.cost_usd": u.costUsd } : {}),
        "ragraph.cache_hit": Boolean(res.cached),
      });
      return res;
    } catch (e) {
      span.recordException(e instanceof Error ? e : String(e));
      fail(span, { message: e instanceof Error ? e.message : String(e), errorClass: classifyError(e) });
      throw e;
    } finally {
      span.end();
    }
  }
}
