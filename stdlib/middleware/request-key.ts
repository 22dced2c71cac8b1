/**
 * The normalised form of a model request and its content address, shared by the
 * response cache and record/replay cassettes. Normalised = what the provider is sent
 * and what shapes the reply: the model id, the messages' roles, contents, tool calls and
 * tool-call ids, the offered tools, the output schema, route labels, the output limit and
 * temperature. Message ids, author names and request metadata (graph, node, run ids) are
 * left out, so the same conversation asked by two fan-out branches has one address.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../../compiler/canonical.js";
import type { ChatRequest } from "../../registry/index.js";

export interface NormalisedRequest {
  readonly model: string;
  readonly messages: readonly { readonly role: string; readonly content: string; readonly toolCalls?: readonly unknown[]; readonly toolCallId?: string }[];
  readonly tools?: readonly unknown[];
  readonly output?: unknown;
  readonly routeLabels?: readonly string[];
  readonly maxOutputTokens?: number;
  readonly temperature?: number;
}

export function normaliseRequest(r: ChatRequest): NormalisedRequest {
  return {
    model: r.model,
    messages: r.messages.map((m) => ({
      role: m.role,
      content: m.content,
      ...(m.toolCalls?.length ? { toolCalls: m.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })) } : {}),
      ...(m.toolCallId !== undefined ? { toolCallId: m.toolCallId } : {}),
    })),
    ...(r.tools?.length ? { tools: r.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })) } : {}),
    ...(r.output ? { output: r.output } : {}),
    ...(r.routeLabels?.length ? { routeLabels: [...r.routeLabels] } : {}),
    ...(r.maxOutputTokens !== undefined ? { maxOutputTokens: r.maxOutputTokens } : {}),
    ...(r.temperature !== undefined ? { temperature: r.temperature } : {}),
  };
}

/** `sha256:<hex>` of the canonical JSON of the normalised request (plus `scope`, e.g. the provider name). */
export function requestKey(r: ChatRequest, scope = ""): string {
  return `sha256:${createHash("sha256").update(canonicalJson({ scope, request: normaliseRequest(r) })).digest("hex")}`;
}
