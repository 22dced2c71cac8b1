/**
 * Budgets: tokens (input + output) and USD per run and per node. Before a call the
 * budget middleware estimates it (≈ 4 characters per token for the input, attached images
 * and files at a per-part estimate — `attachmentTokens`, `rate-limit.ts` — plus
 * `maxOutputTokens` or `expectedOutputTokens`, priced at the model's price) and refuses
 * it when the estimate does not fit what is left — counting what calls in flight have
 * reserved, so the branches of a fan-out cannot all pass the check at once. What a call
 * uses past its estimate while it runs (its stream, its failed attempts) grows its
 * reservation in the ledger itself (`SpendLedger.extend`), so every call reading the
 * ledger — or, through a `JointLedger`/`LinkedLedger`, the enclosing ledger it shares (a
 * pool worker's branches of a step, a REPL session's graph runs) — sees it at once; a
 * retried attempt first holds what the failed ones were charged plus its own estimate and
 * is refused when that does not fit. The call's
 * `maxOutputTokens` is lowered to the output the limits leave after what is spent and
 * reserved and its input, so a long reply cannot spend past them (a reply cut there fails
 * its task); a server that ignores the cap is stopped as its output crosses what is left
 * (counted as it arrives, hidden reasoning included: the guard of `registry/call-meter.ts`),
 * charged what it sent, and its task fails. After the call the reservation is replaced by
 * the real usage (as reported, raised to what was seen of the call, reasoning tokens
 * included: `registry/usage-floor.ts`); a call whose
 * real usage crosses a limit fails its task too. A call that fails is charged what is known
 * of each attempt that reached the provider (its error's usage, else its input estimate
 * plus what it streamed: `registry/call-meter.ts`), and a successful one also what its
 * failed attempts (retries inside the chain) were charged. Either way the task fails with a `NodeError` of class
 * `budget_exceeded`, which no retry policy retries by default. Cache hits cost nothing.
 *
 * Spend is counted per thread, durably: in a graph run the ledger is the runtime's
 * (`CallContext.spend`, `registry/spend.ts`), started from what the thread's checkpoint
 * recorded and saved with it — reservations before the call, usage after — so a resumed,
 * retried or crashed-and-continued run goes on from what the thread already spent. It
 * covers the root run's child runs; a node's covers all its tasks on the thread. A call
 * outside a graph run (a REPL session) is charged to a ledger of this middleware, kept per
 * root run id in memory (the last 1,000). Limits come from the config (`middleware.budget`) and from the
 * graph (`budget { tokens, usd, per_node { tokens, usd } }`, also spelled inside
 * `defaults`) and from the node (`budget { tokens, usd }` on the node); the strictest
 * applies. A run distributed over a worker pool also has a gate (`SpendLedger.gate`,
 * `registry/spend-gate.ts`): each call is claimed on the run's account shared by the
 * pool's processes, atomically against the same limits, before it is made, and settled
 * after. A USD limit on a model without a price fails closed (a permanent error
 * asking for one) rather than letting spending go uncounted.
 */
import { randomUUID } from "node:crypto";
import { BudgetConfigSchema, CallMeter, checkConfigPart, priceUsage, SpendBook, spentOf, type BudgetConfig, type BudgetLimit, type CallContext, type ChatResponse, type ModelCall, type ModelMiddleware, type ModelPrice, type SpendCounts, type SpendLedger } from "../../registry/index.js";
import { NodeError } from "../../runtime/errors.js";
import { GateHold } from "./gate-hold.js";
import { estimateRequestTokens } from "./rate-limit.js";
import { callerOf, count, isRecord, whereOf } from "./util.js";

type Ledger = SpendCounts;
const MAX_RUNS = 1_000;

/** What a run (and each of its nodes) has spent so far. */
export interface BudgetUsage {
  readonly tokens: number;
  readonly usd: number;
  readonly nodes: Readonly<Record<string, { readonly tokens: number; readonly usd: number }>>;
}

export interface BudgetMiddleware extends ModelMiddleware {
  /** Spending of the run tree rooted at `rootRunId`, its thread's earlier spend included (undefined when unknown or forgotten). */
  usage(rootRunId: string): BudgetUsage | undefined;
}

function stricter(a: BudgetLimit | undefined, b: BudgetLimit | undefined): BudgetLimit {
  const pick = (x: number | undefined, y: number | undefined) => (x === undefined ? y : y === undefined ? x : Math.min(x, y));
  const tokens = pick(a?.tokens, b?.tokens);
  const usd = pick(a?.usd, b?.usd);
  return { ...(tokens !== undefined ? { tokens } : {}), ...(usd !== undefined ? { usd } : {}) };
}

/**
 * The limits of a `budget` block (a graph's, an enclosing graph's, or a node's): each
 * figure a count or absent. A figure that is there but not a count (a string, a negative
 * number, `per_node` that is not a block) — which the compiler reports
 * (`E-rag-invalid-budget`) but a Blueprint built without it may carry — is named in
 * `invalid`: the call is refused rather than run without that limit (it was dropped, and
 * a node's string limit compared as a string, so no call was ever over it).
 */
function graphLimits(ctx: Pick<CallContext, "defaults">, invalid: string[] = []): { run?: BudgetLimit; node?: BudgetLimit } {
  const b = ctx.defaults.budget;
  if (b === undefined) return {};
  if (!isRecord(b)) return invalid.push("budget"), {};
  const per = b.per_node === undefined ? undefined : isRecord(b.per_node) ? b.per_node : (invalid.push("budget.per_node"), undefined);
  const tokens = figure(b.tokens, "budget.tokens", invalid);
  const usd = figure(b.usd, "budget.usd", invalid);
  const nodeTokens = figure(per?.tokens, "budget.per_node.tokens", invalid);
  const nodeUsd = figure(per?.usd, "budget.per_node.usd", invalid);
  return {
    run: { ...(tokens !== undefined ? { tokens } : {}), ...(usd !== undefined ? { usd } : {}) },
    node: { ...(nodeTokens !== undefined ? { tokens: nodeTokens } : {}), ...(nodeUsd !== undefined ? { usd: nodeUsd } : {}) },
  };
}

/** A limit figure: a count, absent, or (recorded in `invalid` under `name`) neither. */
function figure(v: unknown, name: string, invalid: string[]): number | undefined {
  if (v === undefined) return undefined;
  const c = count(v);
  if (c === undefined) invalid.push(name);
  return c;
}

const fmtUsd = (v: number) => `$${v.toFixed(4)}`;

/**
 * Output tokens a call may use without crossing a token or USD limit of the run or the
 * node, counting what is spent and reserved and the call's input (`inTokens`, estimated);
 * undefined when no limit applies. At least 1 (the check before the call refused a call
 * that cannot fit its estimate).
 */
function outputCap(run: Ledger, runLimit: BudgetLimit, node: Ledger, nodeLimit: BudgetLimit, inTokens: number, price: ModelPrice | undefined): number | undefined {
  let cap = Infinity;
  for (const [l, limit] of [[run, runLimit], [node, nodeLimit]] as const) {
    if (limit.tokens !== undefined) cap = Math.min(cap, limit.tokens - l.tokens - l.reservedTokens - inTokens);
    if (limit.usd !== undefined && price && price.outputPerMTok > 0) {
      const left = limit.usd - l.usd - l.reservedUsd - priceUsage({ inputTokens: inTokens, outputTokens: 0 }, price);
      cap = Math.min(cap, (left * 1_000_000) / price.outputPerMTok);
    }
  }
  return cap === Infinity ? undefined : Math.max(1, Math.floor(cap));
}

/** How `tokens`/`usd` pass `limit` ("1200 tokens of 1000"), or undefined when within it. */
function overBy(limit: BudgetLimit, tokens: number, usd: number): string | undefined {
  if (limit.tokens !== undefined && tokens > limit.tokens) return `${tokens} tokens of ${limit.tokens}`;
  if (limit.usd !== undefined && usd > limit.usd) return `${fmtUsd(usd)} of ${fmtUsd(limit.usd)}`;
  return undefined;
}

/** What a reply whose usage is not a count is charged: its reservation, or what it is known to have used (input estimate + streamed output) when that is more. */
function fallback(reserved: { readonly tokens: number; readonly usd: number }, meter: CallMeter): { tokens: number; usd: number } {
  const seen = meter.observed();
  return { tokens: Math.max(reserved.tokens, seen.tokens), usd: Math.max(reserved.usd, seen.usd) };
}

/**
 * The budget layer of the chain (see the module comment).
 * @param config the limits (`defineConfig({ middleware: { budget } })`), checked here: a
 *   limit that is not a number ≥ 0, an `expectedOutputTokens` that is not a whole number
 *   ≥ 1, or an unknown key (`tokns`) would compare false with every total and switch the
 *   limit off.
 * @throws ConfigError naming each bad key (`middleware.budget.run.tokens`).
 */
export function budgetMiddleware(config: BudgetConfig = {}): BudgetMiddleware {
  checkConfigPart(BudgetConfigSchema, config, ["middleware", "budget"]);
  // Ledgers by root run id: this middleware's own (calls outside a graph run), and the
  // runtime's seen in calls (for `usage`; the call always uses the one its context names).
  const runs = new Map<string, SpendLedger>();
  const ledgerOf = (ctx: CallContext): SpendLedger => {
    const root = ctx.run.rootRunId;
    let r = runs.get(root);
    if (!r || (ctx.spend && r !== ctx.spend)) {
      runs.set(root, (r = ctx.spend ?? new SpendBook()));
      if (runs.size > MAX_RUNS) runs.delete(runs.keys().next().value as string);
    }
    return r;
  };
  // No limit configured on the middleware: a call is limited only by its graph's, its
  // enclosing runs' or its node's `budget`, checked first without building any limit object.
  const configured = config.run !== undefined || config.node !== undefined || (config.nodes !== undefined && Object.keys(config.nodes).length > 0);
  return {
    name: "budget",
    usage(rootRunId) {
      const r = runs.get(rootRunId);
      if (!r) return undefined;
      const t = r instanceof SpendBook ? r.totals() : { tokens: r.run.tokens, usd: r.run.usd };
      return { tokens: t.tokens, usd: t.usd, nodes: Object.fromEntries(Object.entries(t.nodes ?? {}).map(([n, l]) => [n, { tokens: l.tokens, usd: l.usd }])) };
    },
    // Calls with no budget pass straight through (no async frame of this layer).
    wrap: (next) => (call) => {
      const ctx = call.context;
      if (!ctx) return next(call);
      if (!configured && ctx.node.budget === undefined && !ctx.enclosingBudgets?.length && ctx.defaults.budget === undefined) return next(call);
      const invalid: string[] = [];
      const fromGraph = graphLimits(ctx, invalid);
      // A run budget covers its child runs: the enclosing runs' limits apply here too (and
      // alone, with the config's, on the enclosing run's account across a worker pool for a
      // run nested under a thread of its own: `GateLimits.enclosing`).
      let enclosingLimit = stricter(config.run, undefined);
      for (const b of ctx.enclosingBudgets ?? []) enclosingLimit = stricter(enclosingLimit, graphLimits({ defaults: { budget: b } }, invalid).run);
      const runLimit = stricter(enclosingLimit, fromGraph.run);
      // The node's own `budget { … }` item applies too; the strictest limit wins.
      const ownNode = ctx.node.budget === undefined ? undefined : graphLimits({ defaults: { budget: ctx.node.budget } }, invalid).run;
      if (invalid.length) return Promise.reject(new NodeError(`a budget that applies to ${callerOf(ctx)} is malformed (${invalid.join(", ")}: limits are numbers ≥ 0): the call is refused rather than run without it`, "permanent", whereOf(ctx)));
      // The config's limit of this node by name is an own entry only: a node a `.rag` file
      // named `toString` or `valueOf` found Object.prototype's function, which took the
      // place of the default `node` limit and limited nothing.
      const named = config.nodes !== undefined && Object.hasOwn(config.nodes, ctx.node.name) ? config.nodes[ctx.node.name] : undefined;
      const nodeLimit = stricter(stricter(named ?? config.node, fromGraph.node), ownNode);
      const limited = runLimit.tokens !== undefined || runLimit.usd !== undefined || nodeLimit.tokens !== undefined || nodeLimit.usd !== undefined;
      if (!limited) return next(call);
      return budgeted(next, call, ctx, runLimit, nodeLimit, enclosingLimit);
    },
  };

  async function budgeted(next: (c: ModelCall) => Promise<ChatResponse>, call: ModelCall, ctx: CallContext, runLimit: BudgetLimit, nodeLimit: BudgetLimit, enclosingLimit: BudgetLimit): Promise<ChatResponse> {
    {
      const where = whereOf(ctx);
      const price = call.model.price;
      if ((runLimit.usd !== undefined || nodeLimit.usd !== undefined) && !price) {
        throw new NodeError(`a USD budget applies to ${callerOf(ctx)}, but model \`${call.model.name}\` has no price: declare \`price\` for it in rag.config.ts`, "permanent", where);
      }
      // `maxOutputTokens` may come from a model-written CodeAct script: a negative one made the
      // estimate (and the reservation) negative and was never lowered to the cap (-1 > cap is
      // false), reaching providers that read -1 as "no limit"; NaN passed every check.
      const askedOut = call.request.maxOutputTokens;
      if (askedOut !== undefined && !(Number.isSafeInteger(askedOut) && askedOut >= 1)) {
        throw new NodeError(`budget: a call of ${callerOf(ctx)} asked for ${String(askedOut)} output tokens; \`maxOutputTokens\` must be a whole number ≥ 1`, "permanent", where);
      }
      const ledger = ledgerOf(ctx);
      const run = ledger.run;
      const node = ledger.node(ctx.node.name);
      const tokens = estimateRequestTokens(call.request, config.expectedOutputTokens);
      const outTokens = call.request.maxOutputTokens ?? config.expectedOutputTokens ?? 256;
      const usd = price ? priceUsage({ inputTokens: tokens - outTokens, outputTokens: outTokens }, price) : 0;
      const callTokens = (t: number, u: number) => `${t} tokens${price ? `, ${fmtUsd(u)}` : ""}`;
      /** Throws when `ledger` plus `addTokens`/`addUsd` (plus reservations of calls in flight, before a call) is over `limit`. */
      const check = (ledger: Ledger, limit: BudgetLimit, scope: string, addTokens: number, addUsd: number, what: () => string, reserved = true) => {
        const over = overBy(limit, ledger.tokens + (reserved ? ledger.reservedTokens : 0) + addTokens, ledger.usd + (reserved ? ledger.reservedUsd : 0) + addUsd);
        if (over) throw new NodeError(`budget exceeded: ${what()} the ${scope} to ${over}`, "budget_exceeded", where);
      };
      const nodeScope = `budget of node \`${ctx.node.name}\``;
      const before = () => `a call of ${callerOf(ctx)} (estimated ${callTokens(tokens, usd)}) would bring`;
      check(run, runLimit, "run's budget", tokens, usd, before);
      check(node, nodeLimit, nodeScope, tokens, usd, before);
      // The reply may use no more output than the budget has left, told to the provider
      // (`maxOutputTokens`) before the call: the estimate above counts `outTokens` only, and
      // a model that wrote 50,000 tokens against 1,000 left spent them all before the check
      // after the call failed its task.
      // Never above the model's own output maximum: under a large budget the cap is what is
      // left (~1,000,000), which the vendor refuses (and the Anthropic SDK refuses to send
      // without streaming) — the budget may lower a request's output, never raise it.
      const left = outputCap(run, runLimit, node, nodeLimit, tokens - outTokens, price);
      const cap = left === undefined ? undefined : Math.min(left, call.model.capabilities.maxOutputTokens);
      const lowered = cap !== undefined && (call.request.maxOutputTokens === undefined || call.request.maxOutputTokens > cap);
      if (lowered) call = { ...call, request: { ...call.request, maxOutputTokens: cap } };
      /** The budget, not the model's maximum, set the output the reply may use. */
      const cutByBudget = lowered && cap === left;
      // Reserved before the call — in memory at once (a sibling branch checking after this
      // line sees it), and saved with the thread's checkpoint before the call is made (a
      // crash during the call leaves the reservation counted as spent).
      const reserved = { tokens, usd };
      const saved = ledger.reserve(ctx.node.name, tokens, usd);
      // What this call holds in the ledger: its reservation, grown (`SpendLedger.extend`) as
      // the call is known to use more — a stream past its estimated output, failed attempts.
      // The extensions are in the ledger itself, so every other call that reads it (a sibling
      // branch; through a joint or linked ledger, a branch or run sharing the enclosing one)
      // sees them in its check before its call, its output cap and its stream's guard. (They
      // were kept per ledger object in this module: four branches of a pool worker, each with
      // a ledger of its own over the worker's share, each streamed to the whole budget.)
      const held = { tokens, usd };
      // A distributed run's account across the worker pool (`ledger.gate`): what the call
      // holds there (`GateHold`, `gate-hold.ts`) — its estimate, claimed before the call is
      // made (below), then more ahead of its use, a chunk at a time: a stream past the
      // estimate, a failed attempt before its retry. The in-memory checks see only this
      // process's calls, so new work (the call, a retried attempt) waits until the account
      // covers it, and a reply past what the account granted is stopped (but for the piece
      // that crossed it while a top-up was in flight): before, two workers' streams each
      // spent the whole budget (test/security/review12-pool-gate.test.ts).
      const gate = ledger.gate;
      const chunk = Math.max(outTokens, 256);
      const account = gate
        ? new GateHold(gate, ctx.node.name, { run: runLimit, node: nodeLimit, enclosing: enclosingLimit }, chunk, (n) => (price ? priceUsage({ inputTokens: 0, outputTokens: n }, price) : 0), randomUUID())
        : undefined;
      /** Whether the account holds the call's estimate (claimed before the call). */
      let onAccount = false;
      /** Grows what this call holds to `t` tokens and `u` USD in all, when that is more (it never shrinks before the call settles). */
      const hold = (t: number, u: number) => {
        const dt = Math.max(0, t - held.tokens);
        const du = Math.max(0, u - held.usd);
        if (!dt && !du) return;
        ledger.extend(ctx.node.name, dt, du);
        held.tokens += dt;
        held.usd += du;
      };
      // Every attempt below that reaches the provider is recorded here (`CallMeter`): what it
      // streams, and what it is charged when it fails — so a failed call, and each retried
      // attempt, is charged what is known of it instead of 0.
      // As the reply arrives, its output so far replaces the reservation's: a stream that
      // would cross a limit (a server ignoring `maxOutputTokens`) is stopped there. An attempt
      // that failed is held at once at what it was charged (the other calls see it while a
      // retry waits its backoff); before a retried attempt, the call holds what its failed
      // attempts were charged plus this attempt's estimate, and the attempt is refused when
      // that does not fit.
      const inTokens = tokens - outTokens;
      const guard = (out: number, failed: { readonly tokens: number; readonly usd: number }, phase: "output" | "failed" | "retry" = "output") => {
        const retry = phase === "retry";
        const useTokens = failed.tokens + (phase === "output" ? inTokens + out : retry ? tokens : 0);
        const useUsd = failed.usd + (phase === "output" ? (price ? priceUsage({ inputTokens: inTokens, outputTokens: out }, price) : 0) : retry ? usd : 0);
        const more = useTokens > held.tokens || useUsd > held.usd;
        if (more) hold(useTokens, useUsd);
        // A distributed run: the pool's account. Claimed ahead once half a chunk is left (a
        // failed attempt: what it was charged plus the retry's estimate, before its backoff
        // ends; the retry itself waits for that claim: `admit`).
        if (account && onAccount) {
          if (phase === "failed") account.want(useTokens + tokens, useUsd + usd);
          else if (phase === "output") {
            if (!account.covers(useTokens + chunk / 2, useUsd)) account.want(useTokens + chunk, useUsd);
            if (!account.allowsOutput(useTokens, useUsd)) {
              const h = account.holds;
              return new NodeError(`budget exceeded: the reply of ${callerOf(ctx)} was stopped after ~${out} output tokens, past the ${callTokens(h.tokens, h.usd)} it holds on the run's budget across the worker pool`, "budget_exceeded", where);
            }
          }
        }
        // Within what the call holds already: nothing new for the limits (but a retry is checked always: it is new work).
        if (phase === "failed" || (!more && !retry)) return undefined;
        for (const [l, limit, scope] of [[run, runLimit, "run's budget"], [node, nodeLimit, nodeScope]] as const) {
          // Everything spent and held: this call's use so far, the other calls' reservations and what they hold past them.
          const over = overBy(limit, l.tokens + l.reservedTokens, l.usd + l.reservedUsd);
          if (!over) continue;
          if (retry) return new NodeError(`budget exceeded: a retry of the call of ${callerOf(ctx)} (its failed attempts charged ${callTokens(failed.tokens, failed.usd)}; estimated ${callTokens(tokens, usd)}) would bring the ${scope} to ${over}`, "budget_exceeded", where);
          return new NodeError(`budget exceeded: the reply of ${callerOf(ctx)} was stopped after ~${out} output tokens (its output so far at 4 characters per token), which would bring the ${scope} to ${over}`, "budget_exceeded", where);
        }
        return undefined;
      };
      /** A retried attempt on a distributed run: made once the account covers what the failed attempts were charged plus its estimate (a top-up in flight waited for). */
      const admit = async (failed: { readonly tokens: number; readonly usd: number }) => {
        if (!account || !onAccount || (await account.cover(failed.tokens + tokens, failed.usd + usd))) return undefined;
        const h = account.holds;
        return new NodeError(`budget exceeded: a retry of the call of ${callerOf(ctx)} (its failed attempts charged ${callTokens(failed.tokens, failed.usd)}; estimated ${callTokens(tokens, usd)}) needs more than the ${callTokens(h.tokens, h.usd)} it holds on the run's budget across the worker pool`, "budget_exceeded", where);
      };
      const meter = new CallMeter(inTokens, price, guard, admit);
      call = { ...call, meter };
      // A distributed run's account across the worker pool (`SpendLedger.gate`): the call is
      // claimed there too, atomically against the same limits, before it is made — the
      // in-memory checks above see only this process's calls.
      let res;
      try {
        await saved;
        if (account) {
          const refused = await account.open(tokens, usd);
          if (refused) {
            // `enclosing`: a run nested under a thread of its own, refused by the enclosing run's limits (`recordingGate`).
            const limit = refused.scope === "node" ? nodeLimit : overBy(runLimit, refused.tokens, refused.usd) ? runLimit : enclosingLimit;
            throw new NodeError(`budget exceeded: ${before()} the ${refused.scope === "run" ? "run's budget" : nodeScope} to ${overBy(limit, refused.tokens, refused.usd) ?? `${refused.tokens} tokens`}`, "budget_exceeded", where);
          }
          onAccount = true;
        }
        res = await next(call);
      } catch (e) {
        // Failed attempts as `CallMeter` charged them, and any reply a layer below refused after the provider answered (a validator's reject).
        const failed = meter.failed();
        for (const u of meter.answered()) {
          const t = spentOf(u, fallback(reserved, meter));
          failed.tokens += t.tokens;
          failed.usd += t.usd;
        }
        ledger.settle(ctx.node.name, held, failed);
        // The claim is released to what the call was charged (nothing, for a call never made).
        await account?.settle(failed).catch(() => undefined);
        throw e;
      }
      // The usage is the provider's word (untrusted): a figure that is not a count is charged
      // at the reservation, or at what the reply is known to have streamed when that is more.
      const ok = spentOf(res.usage, fallback(reserved, meter), res.cached !== undefined);
      const failed = meter.failed();
      const spentTokens = ok.tokens + failed.tokens;
      const spentUsd = ok.usd + failed.usd;
      ledger.settle(ctx.node.name, held, { tokens: spentTokens, usd: spentUsd });
      // A reply past what the account granted (one reported in one piece; a stream's last
      // piece): covered now — claimed, after any top-up in flight — or the reply is refused
      // once it is charged.
      const covered = !account || !onAccount || (await account.cover(spentTokens, spentUsd));
      const holds = account?.holds;
      await account?.settle({ tokens: spentTokens, usd: spentUsd });
      if (!covered) throw new NodeError(`budget exceeded: the reply of ${callerOf(ctx)} (${callTokens(spentTokens, spentUsd)}) used more than the ${callTokens(holds!.tokens, holds!.usd)} the run's budget across the worker pool had room for`, "budget_exceeded", where);
      const after = () => `a call of ${callerOf(ctx)} (${callTokens(spentTokens, spentUsd)}) brought`;
      // A reply that used all the output the budget left was cut there: what it says is not whole.
      if (cutByBudget && !res.cached && (res.usage?.outputTokens ?? 0) >= cap) {
        throw new NodeError(`budget exceeded: the reply of ${callerOf(ctx)} was cut at the ${cap} output tokens the budget had left`, "budget_exceeded", where);
      }
      check(run, runLimit, "run's budget", 0, 0, after, false);
      check(node, nodeLimit, nodeScope, 0, 0, after, false);
      return res;
    }
  }
}
