/**
 * Item values are well formed: `timeout` strings are durations (`E-rag-invalid-duration`),
 * a `timeout` (a node's or `defaults { timeout }`) is longer than zero — `timeout 0s` fails
 * every task it bounds before it can finish (`E-rag-invalid-value`) —, `max_steps` is a
 * positive integer, `checkpoint` and `interrupt` policy words are known
 * (`E-rag-invalid-policy`), and retry/cache blocks use known keys (`language.md` §1, §2).
 */
import type * as A from "../../grammar/rag/ast.js";
import { didYouMean } from "../../grammar/suggest.js";
import { durationMs, parseDurationText } from "../lower/values.js";
import type { Rule, RuleContext } from "./rule.js";

export const CHECKPOINT_WORDS = ["inherit", "none", "sync", "async", "exit", "always", "never"];
export const INTERRUPT_WORDS = ["manual", "auto"];
const RETRY_KEYS = ["max_attempts", "backoff", "initial", "max", "jitter", "retry_on"];
const CACHE_KEYS = ["enabled", "ttl", "key"];

function policy(ctx: RuleContext, id: A.Identifier, words: string[], what: string): void {
  if (!id.name || words.includes(id.name)) return;
  const s = didYouMean(id.name, words);
  ctx.report("E-rag-invalid-policy", `\`${id.name}\` is not a ${what} policy`, id.span, {
    label: "unknown policy",
    help: s ? `did you mean \`${s}\`?` : `${what} policies: ${words.join(", ")}`,
    ...(s ? { fixes: [{ span: id.span, replacement: s, description: `replace \`${id.name}\` with \`${s}\`` }] } : {}),
  });
}

function blockKeys(ctx: RuleContext, b: A.Block | A.BooleanLiteral, keys: string[], what: string): void {
  if (b.kind !== "Block") return;
  for (const e of b.entries) {
    if (keys.includes(e.key.name)) continue;
    const s = didYouMean(e.key.name, keys);
    ctx.report("W-rag-unknown-key", `\`${e.key.name}\` is not a ${what} setting`, e.key.span, { label: "ignored", help: s ? `did you mean \`${s}\`?` : `${what} settings: ${keys.join(", ")}` });
  }
}

/** A `timeout` of zero: the runtime arms a 0 ms timer, which fires before any task can end. */
function zeroTimeout(ctx: RuleContext, v: A.Value | A.TimeoutItem["value"], where: string): void {
  if (durationMs(v) !== 0) return;
  ctx.report("E-rag-invalid-value", `a \`timeout\` of 0 fails ${where} before it can finish`, v.span, {
    label: "zero timeout",
    help: "give the longest the work may take, e.g. `timeout 30s`, or leave `timeout` out for no limit",
  });
}

export const ItemValueRule: Rule = (ctx) => ({
  graph(g) {
    for (const p of g.policies) policy(ctx, p.value, p.policy === "checkpoint" ? CHECKPOINT_WORDS : INTERRUPT_WORDS, p.policy);
    for (const c of g.configs) {
      if (c.config !== "defaults") continue;
      for (const e of c.value.entries) if (e.key.name === "timeout") zeroTimeout(ctx, e.value, "every node without its own `timeout`");
    }
  },
  node(n) {
    const t = n.items.get("timeout");
    if (t) zeroTimeout(ctx, t.value, `node \`${n.name}\` at every attempt`);
    if (t?.value.kind === "String" && parseDurationText(t.value.value) === undefined) {
      ctx.report("E-rag-invalid-duration", `\`${t.value.value}\` is not a duration`, t.value.span, { label: "invalid duration", help: "write e.g. `30s`, `\"30s\"`, `250ms` or a number of seconds" });
    }
    const m = n.items.get("max_steps");
    if (m && (!Number.isInteger(m.value.value) || m.value.value < 1)) {
      ctx.report("E-rag-invalid-value", `\`max_steps\` must be a positive integer, found \`${m.value.raw}\``, m.value.span);
    }
    for (const s of n.sends) {
      const k = s.concurrency;
      if (k && (!Number.isInteger(k.value) || k.value < 1)) ctx.report("E-rag-invalid-value", `\`concurrency\` must be a positive integer, found \`${k.raw}\``, k.span);
    }
    const c = n.items.get("checkpoint");
    if (c) policy(ctx, c.value, CHECKPOINT_WORDS, "checkpoint");
    const r = n.items.get("retry");
    if (r) blockKeys(ctx, r.value, RETRY_KEYS, "retry");
    const cache = n.items.get("cache");
    if (cache) blockKeys(ctx, cache.value, CACHE_KEYS, "cache");
  },
});
