/**
 * The floor of a reply's usage (`docs/security.md` "Budgets"): the usage a provider
 * reports is its word — a hostile or buggy OpenAI-compatible server can stream 10,000
 * tokens and report `completion_tokens: 1`, or read a 50 kB prompt and report
 * `prompt_tokens: 1` — so every reply is charged at least what ragraph itself saw of the
 * call, and the reported figure only when it is higher:
 *
 * - output ≥ the output it received at `OUTPUT_FLOOR_CHARS_PER_TOKEN` characters per
 *   token: the reply's text and each tool call's name and JSON arguments, or what was
 *   streamed or received when that is more (a reply whose text was cut down after
 *   streaming; hidden reasoning — Anthropic's thinking blocks, the `reasoning_content`
 *   of OpenAI-compatible servers — which the provider counts through `onOutput`);
 * - output ≥ the reported reasoning tokens (`Usage.reasoningTokens`: OpenAI's
 *   `completion_tokens_details.reasoning_tokens`, Anthropic's thinking tokens) plus the
 *   floor of the visible reply: vendors bill reasoning as output and count it inside the
 *   output figure, so a reply reporting 5,000 reasoning tokens and 1 output token is
 *   charged at least 5,000 output tokens, priced as output;
 * - input ≥ the size of the prompt's messages at `INPUT_FLOOR_CHARS_PER_TOKEN` characters
 *   per token.
 *
 * A figure raised is marked (`Usage.usageFloor`), so events and `rag run` say so. A
 * figure that is not a count (NaN: the provider reported none) is left as it is: the
 * budget charges it at the call's reservation, or at what was seen when that is more.
 * Applied once, at the provider end of the chain (`providerHandler`), so every provider
 * — openai, anthropic, scripted, a user's own — and every layer above (the budget, the
 * rate limiter, the cache, events) sees the same figures.
 */
import { jsonChars } from "./json-chars.js";
import type { ChatMessage } from "./messages.js";
import type { ChatRequest, ChatResponse, Usage } from "./provider.js";

/**
 * Characters of prompt per input token at the floor: 8, twice the ≈ 4 of the estimates.
 * Chosen so that an honest provider is never charged more than it reports on normal
 * text: BPE tokenizers (OpenAI's cl100k/o200k, Anthropic's) average ≈ 4 characters per
 * token on English prose, 3 or fewer on code, JSON and other languages, and stay under 8
 * on ordinary text — only long runs of one repeated character pack more per token. Only
 * the messages are counted (`messageChars`): tool descriptors and an output schema are
 * sent rendered more tersely than their JSON (OpenAI writes tools as TypeScript-like
 * signatures), and attachments (`parts`) are billed by size, so leaving them out keeps
 * the floor below an honest bill; the messages are what a caller can make large.
 */
export const INPUT_FLOOR_CHARS_PER_TOKEN = 8;

/**
 * Characters of output per output token at the floor: 6. Tokenizers pack English prose at
 * ≈ 4–4.5 characters per token (OpenAI's o200k ≈ 4.5), so the ≈ 4 of the estimates
 * (`estimateTokensOfLength`, which a failed call's streamed output is charged at) would
 * raise an honest prose reply by ~10% and flag it; 6 stays below every honest count on
 * ordinary text and still charges a server that streams 40,000 characters and reports 1
 * token at least 6,667.
 */
export const OUTPUT_FLOOR_CHARS_PER_TOKEN = 6;

/** A reported figure the floor may raise: a number ≥ 0 (NaN, negative or not a number is left to the budget's rules). */
const isCount = (x: unknown): x is number => typeof x === "number" && x >= 0;

/**
 * Sizes of tool-call lists already measured, by list: a conversation's earlier assistant
 * messages come back in every later request of an agent loop (the same frozen lists),
 * so each is walked once, not once per call (which made a 100-turn loop quadratic).
 */
const callListChars = new WeakMap<object, number>();

function toolCallsChars(calls: object): number {
  let n = callListChars.get(calls);
  if (n === undefined) callListChars.set(calls, (n = jsonChars(calls)));
  return n;
}

/**
 * Running sizes of a conversation's frozen messages, by its first message: `sums[i]` is
 * the size of `items[0..i)`. An agent loop sends the conversation again every turn (the
 * same frozen message objects, a few more each time) and each request is measured twice
 * (the estimate, the floor): a prefix the last request shared is a pointer comparison per
 * message, not a size lookup. Only frozen messages are remembered: a message that can
 * change is measured every time.
 */
const prefixSums = new WeakMap<object, { readonly items: ChatMessage[]; readonly sums: number[] }>();

/** UTF-16 code units of one message: its content and tool calls (as JSON). */
function oneMessageChars(m: ChatMessage): number {
  return m.toolCalls ? m.content.length + toolCallsChars(m.toolCalls) : m.content.length;
}

/** UTF-16 code units of a request's messages: each one's content and tool calls (as JSON). */
export function messageChars(r: Pick<ChatRequest, "messages">): number {
  const ms = r.messages;
  const first = ms[0];
  if (first === undefined || !Object.isFrozen(first)) {
    let chars = 0;
    for (let i = 0; i < ms.length; i++) chars += oneMessageChars(ms[i]!);
    return chars;
  }
  let memo = prefixSums.get(first);
  if (!memo) prefixSums.set(first, (memo = { items: [], sums: [0] }));
  const { items, sums } = memo;
  // The prefix this request shares with the last one measured.
  let k = 0;
  const known = Math.min(ms.length, items.length);
  while (k < known && ms[k] === items[k]) k++;
  if (k < items.length) (items.length = k), (sums.length = k + 1);
  let chars = sums[k]!;
  let remembering = true;
  for (let i = k; i < ms.length; i++) {
    const m = ms[i]!;
    chars += oneMessageChars(m);
    // A frozen message's content and tool-call list cannot change: its size is remembered.
    if (remembering && Object.isFrozen(m)) items.push(m), sums.push(chars);
    else remembering = false;
  }
  return chars;
}

/**
 * UTF-16 code units of a request's text as the estimates count it: its messages
 * (`messageChars`), the tool descriptors and the output schema (as JSON). The budget's
 * estimate (`estimateRequestTokens`) and the scripted provider's usage count this.
 */
export function requestChars(r: ChatRequest): number {
  let chars = messageChars(r);
  if (r.tools?.length) chars += jsonChars(r.tools);
  if (r.output) chars += jsonChars(r.output.schema);
  return chars;
}

/** UTF-16 code units of a reply's output: its text plus each tool call's name and JSON arguments (what a stream delivers). */
export function replyChars(res: Pick<ChatResponse, "message">): number {
  let chars = typeof res.message?.content === "string" ? res.message.content.length : 0;
  for (const c of res.message?.toolCalls ?? []) chars += (typeof c.name === "string" ? c.name.length : 0) + jsonChars(c.arguments ?? {});
  return chars;
}

/**
 * The least `reply` to `request` is charged, in tokens: input from the size of its messages,
 * output from the reply's content or `streamedChars` (UTF-16 code units of output the
 * attempt streamed or the provider received, hidden reasoning included:
 * `CallMeter.streamedChars`), whichever is more — and at least the reply's reported
 * reasoning tokens plus the floor of its visible content.
 */
export function usageFloor(request: ChatRequest, reply: Pick<ChatResponse, "message"> & { readonly usage?: Pick<Usage, "reasoningTokens"> }, streamedChars = 0): { inputTokens: number; outputTokens: number } {
  const visible = replyChars(reply);
  let outputTokens = Math.ceil(Math.max(visible, streamedChars) / OUTPUT_FLOOR_CHARS_PER_TOKEN);
  const reasoning = reply.usage?.reasoningTokens;
  if (isCount(reasoning)) outputTokens = Math.max(outputTokens, reasoning + Math.ceil(visible / OUTPUT_FLOOR_CHARS_PER_TOKEN));
  return { inputTokens: inputFloor(request), outputTokens };
}

/** The least input `request` is charged, in tokens: the size of its messages at `INPUT_FLOOR_CHARS_PER_TOKEN`. */
export function inputFloor(request: ChatRequest): number {
  return Math.ceil(messageChars(request) / INPUT_FLOOR_CHARS_PER_TOKEN);
}

/**
 * `usage` with each count below `floor` raised to it and `usageFloor: true` when any was;
 * `usage` itself when none was. A figure that is not a count ≥ 0 is left as it is.
 */
export function raiseToFloor(usage: Usage, floor: { readonly inputTokens: number; readonly outputTokens: number }): Usage {
  const lowIn = isCount(usage.inputTokens) && usage.inputTokens < floor.inputTokens;
  const lowOut = isCount(usage.outputTokens) && usage.outputTokens < floor.outputTokens;
  if (!lowIn && !lowOut) return usage;
  return { ...usage, inputTokens: lowIn ? floor.inputTokens : usage.inputTokens, outputTokens: lowOut ? floor.outputTokens : usage.outputTokens, usageFloor: true };
}
