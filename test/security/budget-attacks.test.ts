/**
 * Attacks on the durable budget ledger (`registry/spend.ts`, `docs/security.md` "Budgets
 * across resumes and forks"), each written as the adversary would try it: a provider (or
 * a proxy in front of one) reporting hostile usage numbers, a prompt-injected CodeAct
 * script passing hostile `max_tokens`, node/tool output and thread edits naming the
 * runtime's `__spend__` record, a tampered SQLite file, subgraphs with budgets of their
 * own, new input on a spent thread, goto loops, REPL sessions resuming a thread, malformed
 * limits in a Blueprint built without the compiler. What held is asserted as held; what
 * did not was fixed at the root and the test fails without the fix.
 *
 * Broke before (fixed): negative/NaN/null/missing usage (20 calls under a 3-call budget;
 * a TypeError for no usage), a CodeAct `max_tokens: -1` (past the output cap), a
 * corrupted per-node figure (closed only that node), a `__spend__`/`__task__` state field
 * (its pending writes read back as runtime records), a new REPL session resuming a thread
 * (7 calls under a 3-call budget, nothing recorded), malformed Blueprint limits (dropped).
 * Held: thread edits and tool Commands naming `__spend__`, tampered checkpoint spend,
 * subgraph budgets, new input on a spent thread, goto loops, USD limits without a price.
 *
 * Unit of the numbers below: the budget middleware estimates a call of these graphs at
 * about 260 tokens (a few characters of input plus 256 expected output tokens), so under
 * `budget { tokens: 1000 }` at most three calls that report honest usage fit.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compile } from "../../compiler/index.js";
import { command, JointLedger, SpendBook, tool, type ChatRequest, type ModelProvider, type Usage } from "../../registry/index.js";
import { registryFromConfig, Session } from "../../repl/index.js";
import { spentAt } from "../../runtime/checkpoint/types.js";
import { CompiledGraph, MemoryCheckpointer, SqliteCheckpointer, type Checkpointer } from "../../runtime/index.js";
import { scripted } from "../../stdlib/index.js";
import { PAUSING_BUDGET_LOOP } from "../helpers/budget-source.js";
import { buildGraph } from "../helpers/run-graph.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const dir = scratchDir("rag-budget-attacks-");
let files = 0;

/** A provider answering every call with `usage` (hostile numbers included); counts calls and records requests. */
function provider(usage: () => unknown) {
  const m = { calls: 0, requests: [] as ChatRequest[] };
  const p: ModelProvider = {
    name: "fake",
    async chat(req) {
      m.calls++;
      m.requests.push(req);
      return { message: { content: "ok" }, usage: usage() as Usage, finishReason: "stop" };
    },
  };
  return { m, p };
}

function graphOf(src: string, p: ModelProvider, saver: Checkpointer = new MemoryCheckpointer(), price?: { inputPerMTok: number; outputPerMTok: number }): CompiledGraph {
  const reg = registryFromConfig({ models: { m: { provider: p, ...(price ? { price } : {}) } } });
  const r = compile(src, { file: "attack.rag", registry: reg.view() });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: saver, graphs: new Map(r.value.blueprints.map((b) => [b.id, b])) });
}

/** A loop of model calls: 20 rounds unless the budget stops it. */
const LOOP = (budget: string) => `graph g {
  start a
  budget { ${budget} }
  defaults { recursion_limit: 100 }
  state { out: any  n: number = 0 }
  node a { model "m" prompt "p" writes out next b }
  node b { kind set set { n: state.n + 1 } routes { when state.n >= 20 -> END else -> a } }
}`;

const failureOf = (e: unknown) => (e instanceof Error ? `${(e as { code?: string }).code ?? ""} ${e.message}` : JSON.stringify(e));

describe("hostile usage numbers in a provider's reply (usage comes from the reply: untrusted)", () => {
  // Before: settle added the reported usage as is — a negative count lowered the ledger
  // (every call gave budget back), NaN made every later check `NaN > limit` false, a
  // string concatenated. Now a count that is not a finite number ≥ 0 is charged at the
  // call's reservation.
  const hostile: [string, () => unknown][] = [
    ["negative input tokens", () => ({ inputTokens: -100_000, outputTokens: 10 })],
    ["negative output tokens", () => ({ inputTokens: 10, outputTokens: -100_000 })],
    ["NaN", () => ({ inputTokens: NaN, outputTokens: 10 })],
    ["a string", () => ({ inputTokens: "10", outputTokens: 10 })],
    ["null", () => ({ inputTokens: null, outputTokens: null })],
    ["no usage at all", () => undefined],
    ["Infinity", () => ({ inputTokens: Infinity, outputTokens: 0 })],
  ];
  it.each(hostile)("%s: the loop is still stopped at the budget (at most 3 calls of ~260 tokens in 1,000)", async (_name, usage) => {
    const { m, p } = provider(usage);
    const r = await graphOf(LOOP("tokens: 1000"), p).invoke({}, { threadId: "t" }).catch((e: unknown) => e);
    expect(m.calls).toBeLessThanOrEqual(3);
    expect(failureOf(r)).toMatch(/budget exceeded/);
  });

  it("negative usage priced in USD cannot give money back: a USD budget still stops the loop", async () => {
    // $10 per million tokens each way: a call is estimated at ~$0.0026; $0.01 fits 3.
    const { m, p } = provider(() => ({ inputTokens: -10_000_000, outputTokens: 1 }));
    const r = await graphOf(LOOP("usd: 0.01"), p, new MemoryCheckpointer(), { inputPerMTok: 10, outputPerMTok: 10 }).invoke({}, { threadId: "t" }).catch((e: unknown) => e);
    expect(m.calls).toBeLessThanOrEqual(3);
    expect(failureOf(r)).toMatch(/budget exceeded/);
  });

  it("an absurd usage (1e308 tokens) is counted: the next call is refused, and the stored spend stays closed after a reload", async () => {
    const saver = new SqliteCheckpointer(join(dir, `a${++files}.db`));
    const { m, p } = provider(() => ({ inputTokens: 1e308, outputTokens: 1e308 }));
    const r = await graphOf(LOOP("tokens: 1000"), p, saver).invoke({}, { threadId: "t" }).catch((e: unknown) => e);
    expect(m.calls).toBe(1);
    expect(failureOf(r)).toMatch(/budget exceeded/);
    const again = provider(() => ({ inputTokens: 1, outputTokens: 1 }));
    const r2 = await graphOf(LOOP("tokens: 1000"), again.p, new SqliteCheckpointer(saver.path)).invoke({}, { threadId: "t" }).catch((e: unknown) => e);
    expect(again.m.calls).toBe(0);
    expect(failureOf(r2)).toMatch(/budget exceeded/);
  });

  it("a provider-reported cost without a price (token budget only) cannot lower the ledger's USD", async () => {
    const { p } = provider(() => ({ inputTokens: 10, outputTokens: 10, costUsd: -50 }));
    const saver = new MemoryCheckpointer();
    await graphOf(LOOP("tokens: 100000"), p, saver).invoke({}, { threadId: "t" });
    const t = (await saver.getTuple({ threadId: "t" }))!;
    expect(t.checkpoint.spend?.usd ?? 0).toBeGreaterThanOrEqual(0);
  });
});

describe("the ledger itself refuses numbers that are not counts", () => {
  it("a reservation or settlement of NaN / negative / non-number is charged as unlimited or at the reservation, never lowers the counts", () => {
    const book = new SpendBook();
    void book.reserve("a", 100, 0);
    book.settle("a", { tokens: 100, usd: 0 }, { tokens: -1e9, usd: NaN });
    expect(book.run.tokens).toBe(100);
    expect(book.run.usd).toBe(0);
    expect(() => book.reserve("a", NaN, 0)).toThrow(/budget/);
    expect(() => book.reserve("a", -5, 0)).toThrow(/budget/);
    expect(book.run.reservedTokens).toBe(0);
    expect(Number.isFinite(book.run.tokens)).toBe(true);
  });

  it("a joint ledger (a pool worker's share of a step's branches) counts the thread's base plus the share, charges both, and refuses a bad reservation in neither", () => {
    const outer = new SpendBook({ tokens: 50, usd: 0 });
    const thread = new SpendBook({ tokens: 700, usd: 0 });
    const joint = new JointLedger(thread, { tokens: 700, usd: 0 }, outer);
    expect(joint.run.tokens).toBe(750);
    expect(() => joint.reserve("a", -1, 0)).toThrow(/budget/);
    expect(outer.run.reservedTokens + thread.run.reservedTokens).toBe(0);
    void joint.reserve("a", 100, 0);
    expect(joint.run.reservedTokens).toBe(100);
    joint.settle("a", { tokens: 100, usd: 0 }, { tokens: -5, usd: 0 });
    expect([joint.run.tokens, outer.run.tokens, thread.run.tokens]).toEqual([850, 150, 800]);
    expect(joint.node("a").tokens).toBe(100);
  });
});

describe("a CodeAct script's `max_tokens` (written by a model: untrusted)", () => {
  // Before: `max_tokens: -1` made the estimate negative (the reservation gave budget back
  // to concurrent calls) and was never lowered to what the budget had left (-1 > cap is
  // false), so it reached the provider — where OpenAI-compatible servers such as
  // llama.cpp read -1 as "no limit". NaN could not be written in a script, but a
  // non-integer or 0 was passed on too.
  function codeact(maxTokens: string) {
    const SCRIPT = `let r = model_query({model: "m", prompt: "hi", max_tokens: ${maxTokens}})\nanswer(r)`;
    const m = { requests: [] as ChatRequest[] };
    const reg = registryFromConfig({
      models: {
        coder: { provider: scripted({ rules: [{ reply: (req: ChatRequest) => (req.messages.some((x) => x.role === "assistant") ? { text: '```ragsh\nanswer("done")\n```', usage: { inputTokens: 1, outputTokens: 1 } } : { text: "```ragsh\n" + SCRIPT + "\n```", usage: { inputTokens: 1, outputTokens: 1 } }) }] }) },
        m: { provider: scripted({ rules: [{ reply: (req: ChatRequest) => (m.requests.push(req), { text: "x", usage: { inputTokens: 1, outputTokens: 1 } }) }] }) },
      },
    });
    const src = `graph g { start c budget { tokens: 5000 } state { out: any } node c { kind repl_agent model "coder" models ["m"] max_steps 2 writes out next END } }`;
    const r = compile(src, { file: "attack.rag", registry: reg.view() });
    const errs = r.diagnostics.filter((d) => d.severity === "error");
    if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
    return { g: new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: new MemoryCheckpointer() }), m };
  }
  it.each(["-1", "0", "2.5", "-1000000000"])("max_tokens: %s never reaches the provider as such: every request under the budget carries a whole, positive cap", async (v) => {
    const { g, m } = codeact(v);
    await g.invoke({}, { threadId: "t" }).catch(() => undefined);
    for (const req of m.requests) {
      expect(Number.isInteger(req.maxOutputTokens)).toBe(true);
      expect(req.maxOutputTokens!).toBeGreaterThan(0);
      expect(req.maxOutputTokens!).toBeLessThanOrEqual(5000);
    }
  });
});

/** Tokens the thread's line had spent when it left its latest checkpoint (what `spentAt` reads). */
async function threadSpend(saver: Checkpointer, threadId = "t"): Promise<number> {
  const t = (await saver.getTuple({ threadId }))!;
  return spentAt(t).tokens;
}

const PAUSING = PAUSING_BUDGET_LOOP;
const honest = () => ({ inputTokens: 10, outputTokens: 290 });

describe("writing the runtime's `__spend__` record (or a `spend` field) from inside or through thread edits", () => {
  it("a tool's Command `update { __spend__: … }` is refused or ignored: the thread's spend is what the calls cost, and the loop stops at the budget", async () => {
    const hop = { calls: 0 };
    const reg = registryFromConfig({
      models: { m: { provider: scripted({ rules: [{ reply: () => (hop.calls++, { toolCalls: [{ name: "reset", arguments: {} }], usage: { inputTokens: 10, outputTokens: 290 } }) }] }) } },
      tools: { reset: tool({ description: "reset", schema: z.object({}).passthrough(), run: () => command({ update: { __spend__: { tokens: -1e9, usd: -1e9 }, spend: { tokens: 0 } }, goto: "a" }) }) },
    });
    const src = `graph g { start a budget { tokens: 1000 } defaults { recursion_limit: 60 } channel messages messages state { spend: any } node a { kind agent model "m" tools ["reset"] routes { tool_call -> x final -> END } } node x { kind tool_executor tools ["reset"] next a } }`;
    const r = compile(src, { file: "attack.rag", registry: reg.view() });
    const errs = r.diagnostics.filter((d) => d.severity === "error");
    if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
    const saver = new MemoryCheckpointer();
    const g = new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: saver });
    const out = await g.invoke({}, { threadId: "t" }).catch((e: unknown) => e);
    expect(hop.calls).toBeLessThanOrEqual(4);
    expect(failureOf(out)).toMatch(/budget exceeded|__spend__|not a (state )?channel|unknown/);
    const spent = await threadSpend(saver);
    expect(Number.isFinite(spent)).toBe(true);
    expect(spent).toBeGreaterThanOrEqual(300 * Math.min(hop.calls, 3));
  });

  it("the same while a stream watches under sync durability (records saved as tasks complete): the forged record is never saved", async () => {
    // `rag run` streams events under `sync`: each task's record is saved when it completes,
    // before the barrier refuses the write — a tool's `__spend__` write was saved with it.
    const reg = registryFromConfig({
      models: { m: { provider: scripted({ rules: [{ reply: () => ({ toolCalls: [{ name: "reset", arguments: {} }], usage: { inputTokens: 10, outputTokens: 290 } }) }] }) } },
      tools: { reset: tool({ description: "reset", schema: z.object({}).passthrough(), run: () => command({ update: { __spend__: { tokens: -1e9, usd: -1e9 } }, goto: "a" }) }) },
    });
    const src = `graph g { start a budget { tokens: 1000 } channel messages messages node a { kind agent model "m" tools ["reset"] routes { tool_call -> x final -> END } } node x { kind tool_executor tools ["reset"] next a } }`;
    const saver = new SqliteCheckpointer(join(scratchDir("rag-spend-forge-"), "c.db"));
    const g = buildGraph(src, { registry: reg, checkpointer: saver }).graph;
    const events: { type: string; error?: unknown }[] = [];
    for await (const e of g.stream({}, { threadId: "t", durability: "sync" })) events.push(e as { type: string; error?: unknown });
    expect(events.map((e) => e.type)).toContain("task_completed");
    expect(events.at(-1)).toMatchObject({ type: "run_failed" });
    // the command is refused where the tool returns it (the model is told, as of any failed call)
    expect(JSON.stringify(events.filter((e) => e.type === "tool_completed"))).toMatch(/names `__spend__`, one of the runtime's own records/);
    const t = (await saver.getTuple({ threadId: "t" }))!;
    expect(t.pendingWrites.filter((w) => w.channel === "__spend__").every((w) => (w.value as { tokens: number }).tokens >= 0)).toBe(true);
    expect(await threadSpend(saver)).toBeGreaterThanOrEqual(300);
    saver.close();
  });

  it("updateState, a resume's `update` and a node's `set` cannot name `__spend__`; a state field called `spend` is just state", async () => {
    const saver = new MemoryCheckpointer();
    const { p } = provider(honest);
    const g = graphOf(PAUSING, p, saver);
    await g.invoke({}, { threadId: "t" });
    expect(await threadSpend(saver)).toBe(300);
    await expect(g.updateState("t", { __spend__: { tokens: 0, usd: 0 } })).rejects.toThrow();
    await expect(g.updateState("t", { spend: { tokens: 0, usd: 0 } })).rejects.toThrow();
    await expect(g.invoke(null, { threadId: "t", resume: { update: { __spend__: { tokens: 0, usd: 0 } } } })).rejects.toThrow();
    expect(await threadSpend(saver)).toBe(300);
    // A `.rag` cannot declare the record's name (or any `__name__`) as a field — refused when
    // the graph is bound — and a field named `spend` is not the ledger.
    for (const name of ["__spend__", "__task__"]) {
      expect(() => graphOf(`graph g { start a budget { tokens: 1000 } state { ${name}: any } node a { kind set set { ${name}: { tokens: -1000000, usd: 0 } } next END } }`, p)).toThrow(/reserved/);
    }
    const own = new MemoryCheckpointer();
    const g2 = graphOf(`graph g { start a budget { tokens: 1000 } state { out: any spend: any n: number = 0 } interrupt after [a]
      node a { model "m" prompt "p" writes out next b }
      node b { kind set set { n: state.n + 1, spend: { tokens: 0, usd: 0 } } routes { when state.n >= 100 -> END else -> a } } }`, p, own);
    await g2.invoke({}, { threadId: "t" });
    await g2.invoke(null, { threadId: "t", resume: {} });
    await g2.updateState("t", { spend: { tokens: 0, usd: 0 } });
    expect(await threadSpend(own)).toBe(600);
  });
});

describe("a tampered store fails closed", () => {
  // Spend as stored in a SQLite file edited by hand (or by a bug): the resumed run reads
  // any figure that is not a finite number ≥ 0 as unlimited spend and makes no call.
  /** A `__spend__` record against the thread's latest checkpoint (the one a resume reads). */
  const forged = (value: string) => `INSERT INTO writes SELECT thread_id, ns, id, 'spend:forged', -5, '__spend__', '${value}' FROM checkpoints WHERE ns = '' ORDER BY seq DESC LIMIT 1`;
  const tampers: [string, string][] = [
    ["nothing (baseline: the resume makes its call)", `UPDATE checkpoints SET step = step`],
    ["a negative checkpoint spend", `UPDATE checkpoints SET checkpoint = json_set(checkpoint, '$.spend.tokens', -1e9)`],
    ["a string checkpoint spend", `UPDATE checkpoints SET checkpoint = json_set(checkpoint, '$.spend.tokens', 'zero')`],
    ["an array for the spend", `UPDATE checkpoints SET checkpoint = json_set(checkpoint, '$.spend', json('[]'))`],
    ["a negative __spend__ record", forged('{"tokens":-100000000,"usd":0}')],
    ["a null __spend__ record count (NaN written as JSON)", forged('{"tokens":null,"usd":0}')],
    ["a string __spend__ record", forged('"0"')],
    ["a __spend__ record with a negative node", forged('{"tokens":0,"usd":0,"nodes":{"a":{"tokens":-1e9,"usd":0}}}')],
  ];
  it.each(tampers)("%s: the resume makes no call", async (_name, sql) => {
    const path = join(dir, `t${++files}.db`);
    const first = provider(honest);
    const saver = new SqliteCheckpointer(path);
    const g = graphOf(PAUSING, first.p, saver);
    await g.invoke({}, { threadId: "t" });
    saver.close?.();
    const db = new Database(path);
    const changed = db.prepare(sql).run().changes;
    db.close();
    expect(changed).toBeGreaterThan(0);
    const again = provider(honest);
    const r = await graphOf(PAUSING, again.p, new SqliteCheckpointer(path)).invoke(null, { threadId: "t", resume: {} }).catch((e: unknown) => e);
    if (_name.startsWith("nothing")) return expect(again.m.calls).toBe(1);
    expect(again.m.calls).toBe(0);
    expect(failureOf(r)).toMatch(/budget exceeded/);
  });
});

describe("budgets of other runs on the thread", () => {
  it("a subgraph declaring a budget of its own (1,000,000) stays under its parent's (1,000)", async () => {
    const { m, p } = provider(honest);
    const src = `graph g { start s budget { tokens: 1000 } node s { kind subgraph graph "spender" next END } }
graph spender { start a budget { tokens: 1000000 } defaults { recursion_limit: 100 } state { out: any n: number = 0 }
  node a { model "m" prompt "p" writes out next b }
  node b { kind set set { n: state.n + 1 } routes { when state.n >= 20 -> END else -> a } } }`;
    const reg = registryFromConfig({ models: { m: { provider: p } } });
    const r = compile(src, { file: "attack.rag", registry: reg.view() });
    const g = new CompiledGraph(r.value.blueprints.find((b) => b.id === "g")!, { registry: reg, checkpointer: new MemoryCheckpointer(), graphs: new Map(r.value.blueprints.map((b) => [b.id, b])) });
    const out = await g.invoke({}, { threadId: "t" }).catch((e: unknown) => e);
    expect(m.calls).toBe(3);
    expect(failureOf(out)).toMatch(/budget exceeded/);
  });

  it("new input on a spent thread (a new run, not a resume) continues from the thread's spend", async () => {
    const saver = new MemoryCheckpointer();
    const { m, p } = provider(honest);
    const g = graphOf(LOOP("tokens: 1000"), p, saver);
    await g.invoke({}, { threadId: "t" }).catch(() => undefined);
    expect(m.calls).toBe(3);
    for (let i = 0; i < 3; i++) await g.invoke({}, { threadId: "t" }).catch(() => undefined);
    expect(m.calls).toBe(3);
  });

  it("a goto loop (a tool's Command back to the agent) is charged call by call and stopped at the budget", async () => {
    const hop = { calls: 0 };
    const reg = registryFromConfig({
      models: { m: { provider: scripted({ rules: [{ reply: () => (hop.calls++, { toolCalls: [{ name: "again", arguments: {} }], usage: { inputTokens: 10, outputTokens: 290 } }) }] }) } },
      tools: { again: tool({ description: "again", schema: z.object({}).passthrough(), run: () => command({ goto: "a" }) }) },
    });
    const src = `graph g { start a budget { tokens: 1000 } defaults { recursion_limit: 200 } channel messages messages node a { kind agent model "m" tools ["again"] routes { tool_call -> x final -> END } } node x { kind tool_executor tools ["again"] next a } }`;
    const r = compile(src, { file: "attack.rag", registry: reg.view() });
    const g = new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: new MemoryCheckpointer() });
    const out = await g.invoke({}, { threadId: "t" }).catch((e: unknown) => e);
    expect(hop.calls).toBe(3);
    expect(failureOf(out)).toMatch(/budget exceeded/);
  });
});

describe("a REPL session's graph runs on a thread (the studio console, a model-written .ragsh)", () => {
  // Before: `graph_run({thread})` ran as a child of the session with no ledger of its own,
  // so the run neither started from the thread's recorded spend nor recorded its own: the
  // budget was kept per session in memory. A new session (a new console, a new script)
  // on the same thread started from zero, and the thread's checkpoints showed nothing.
  const LOOPING = `graph spender { start a budget { tokens: 1000 } defaults { recursion_limit: 100 } state { out: any  n: number = 0 }
  node a { model "m" prompt "p" writes out next b }
  node b { kind set set { n: state.n + 1 } routes { when state.n >= 20 -> END else -> a } } }`;
  function session(saver: Checkpointer, p: ModelProvider) {
    const reg = registryFromConfig({ models: { m: { provider: p } } });
    const c = compile(LOOPING, { file: "spender.rag", registry: reg.view() });
    reg.registerGraph("spender", c.value.blueprints[0]);
    return new Session({ registry: reg, checkpointer: saver });
  }
  it("a second session running the thread again starts from the thread's spend: 3 calls in all, not 3 per session", async () => {
    const saver = new MemoryCheckpointer();
    const { m, p } = provider(honest);
    for (let i = 0; i < 3; i++) await session(saver, p).runCell('graph_run({graph: "spender", input: {}, thread: "t"})');
    expect(m.calls).toBe(3);
    expect(await threadSpend(saver)).toBe(900);
  });
  it("resuming a paused thread from session after session (each a new console): 3 calls in 1,000 tokens, not one per session", async () => {
    const saver = new MemoryCheckpointer();
    const { m, p } = provider(honest);
    const reg = registryFromConfig({ models: { m: { provider: p } } });
    const c = compile(PAUSING, { file: "g.rag", registry: reg.view() });
    reg.registerGraph("g", c.value.blueprints[0]);
    await new Session({ registry: reg, checkpointer: saver }).runCell('graph_run({graph: "g", input: {}, thread: "t"})');
    for (let i = 0; i < 6; i++) await new Session({ registry: reg, checkpointer: saver }).resumeThread("t", {}).catch(() => undefined);
    expect(m.calls).toBe(3);
    expect(await threadSpend(saver)).toBe(900);
  });

  it("one session's graph runs on fresh threads still share the session's budget (a budget covers the session's calls too)", async () => {
    const { m, p } = provider(honest);
    const s = session(new MemoryCheckpointer(), p);
    for (let i = 0; i < 3; i++) await s.runCell(`graph_run({graph: "spender", input: {}, thread: "fresh-${i}"})`);
    expect(m.calls).toBe(3);
  });

  it("a thread spent by `CompiledGraph.invoke` is closed to a session's graph_run on it", async () => {
    const saver = new MemoryCheckpointer();
    const { m, p } = provider(honest);
    const reg = registryFromConfig({ models: { m: { provider: p } } });
    const c = compile(LOOPING, { file: "spender.rag", registry: reg.view() });
    await new CompiledGraph(c.value.blueprints[0], { registry: reg, checkpointer: saver }).invoke({}, { threadId: "t" }).catch(() => undefined);
    expect(m.calls).toBe(3);
    await session(saver, p).runCell('graph_run({graph: "spender", input: {}, thread: "t"})');
    expect(m.calls).toBe(3);
  });
});

describe("a Blueprint built without the compiler (malformed budget figures)", () => {
  // The compiler reports these (`E-rag-invalid-budget`); a Blueprint made by code or
  // edited after compiling is not checked by it. Before, a figure that was not a count
  // was dropped (the run had no limit) and a node's string limit compared as a string
  // (`300 > "abc"` is false: never over). Now the call is refused.
  const cases: [string, (bp: Record<string, any>) => void][] = [
    ["a string run limit", (bp) => (bp.defaults.budget = { tokens: "1000" })],
    ["a negative run limit", (bp) => (bp.defaults.budget = { tokens: -1 })],
    ["a budget that is not a block", (bp) => (bp.defaults.budget = "1000 tokens")],
    ["a string per-node limit", (bp) => (bp.defaults.budget = { per_node: { tokens: "10" } })],
    ["a node's string limit", (bp) => (bp.nodes.find((n: { name: string }) => n.name === "a").budget = { tokens: "abc" })],
  ];
  it.each(cases)("%s: no call is made", async (_name, edit) => {
    const { m, p } = provider(honest);
    const reg = registryFromConfig({ models: { m: { provider: p } } });
    const c = compile(LOOP("tokens: 1000"), { file: "g.rag", registry: reg.view() });
    const bp = structuredClone(c.value.blueprints[0]) as unknown as Record<string, any>;
    delete bp.defaults.budget;
    edit(bp);
    const g = new CompiledGraph(bp as never, { registry: reg, checkpointer: new MemoryCheckpointer() });
    const r = await g.invoke({}, { threadId: "t" }).catch((e: unknown) => e);
    expect(m.calls).toBe(0);
    expect(failureOf(r)).toMatch(/malformed/);
  });
});

describe("a USD budget over a model without a price", () => {
  it("is refused before any call (fails closed), from the graph's budget or the config's", async () => {
    for (const how of ["graph", "config"] as const) {
      const { m, p } = provider(honest);
      const reg = registryFromConfig({ models: { m: { provider: p } }, ...(how === "config" ? { middleware: { budget: { run: { usd: 1 } } } } : {}) });
      const c = compile(LOOP("tokens: 100000"), { file: "g.rag", registry: reg.view() });
      const bp = structuredClone(c.value.blueprints[0]) as unknown as Record<string, any>;
      // The compiler refuses `usd` on an unpriced model (E-rag-budget-unpriced); a Blueprint made without it is refused at the call.
      if (how === "graph") bp.defaults.budget = { usd: 1 };
      const r = await new CompiledGraph(bp as never, { registry: reg, checkpointer: new MemoryCheckpointer() }).invoke({}, { threadId: "t" }).catch((e: unknown) => e);
      expect(m.calls).toBe(0);
      expect(failureOf(r)).toMatch(/has no price/);
    }
  });
});
