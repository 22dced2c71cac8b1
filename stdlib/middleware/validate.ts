/**
 * Output validators (`validate ["no_pii", "polite"]` on a node): registered functions
 * (`defineConfig({ validators })`) that see the text of every reply of the node's
 * model calls, in the listed order, and pass it, reject it — the task fails with a
 * permanent `NodeError` naming the validator, the node and the reason — or filter it
 * (the text is replaced and the next validator sees the replacement; structured output
 * is re-read from the new text). A reply that only calls tools (no text) is not
 * validated.
 *
 * A node with validators does not stream tokens from the provider: text a filter would
 * replace must not reach a consumer first. Its validated text is delivered as one delta.
 * Validation sits outside the cache, so a cached reply is validated for each node that
 * receives it under that node's own validators.
 */
import type { ChatResponse, ModelCall, ModelMiddleware, Registry } from "../../registry/index.js";
import { NodeError } from "../../runtime/errors.js";
import { streamWhole } from "../providers/shared.js";
import { callerOf, whereOf } from "./util.js";

export function validateMiddleware(registry: Registry): ModelMiddleware {
  return {
    name: "validate",
    // Calls of nodes without validators pass straight through (no async frame of this layer).
    wrap: (next) => (call) => (call.context?.node.validators?.length ? validated(next, call, call.context.node.validators) : next(call)),
  };
  async function validated(next: (c: ModelCall) => Promise<ChatResponse>, call: ModelCall, names: readonly string[]): Promise<ChatResponse> {
    {
      const { onToken, onToolCall, ...quiet } = call;
      const res = await next(quiet);
      const toolCalls = res.message.toolCalls ?? [];
      let text = res.message.content;
      let changed = false;
      if (text || !toolCalls.length) {
        for (const name of names) {
          // The one authorisation check: a validator runs only when the node binds it (and the graph and policy allow it).
          const d = call.context?.authorize?.("validators", name) ?? { allowed: false, reason: `validator \`${name}\` is not granted to ${callerOf(call.context)}` };
          if (!d.allowed) throw new NodeError(d.reason, "permanent", whereOf(call.context));
          const validator = registry.validators.get(name);
          if (!validator) throw new NodeError(`validator \`${name}\` (on ${callerOf(call.context)}) is not registered`, "permanent", whereOf(call.context));
          const verdict = await validator(text, { node: call.context!.node.name, model: call.model.name });
          if ("reject" in verdict) throw new NodeError(`validator \`${name}\` rejected the output of ${callerOf(call.context)}: ${verdict.reject}`, "permanent", whereOf(call.context));
          if ("filter" in verdict) {
            text = verdict.filter;
            changed = true;
          }
        }
      }
      const out: ChatResponse = changed ? withText(res, text, call.request.output !== undefined) : res;
      await streamWhole(out, { ...(onToken ? { onToken } : {}), ...(onToolCall ? { onToolCall } : {}) }, true);
      return out;
    }
  }
}

function withText(res: ChatResponse, text: string, structured: boolean): ChatResponse {
  const { structured: _old, ...rest } = res;
  let parsed: unknown;
  if (structured) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  return { ...rest, message: { ...res.message, content: text }, ...(parsed !== undefined ? { structured: parsed } : {}) };
}
