/**
 * Second red-team round (issue 10): work a graph's own run input or its own loop makes
 * the runtime do without charging it first. Each attack is a few lines of `.rag` and a
 * tiny input, and ran the process out of time or heap before the fix:
 *
 * - `send [w {…} for i in input.items]` planned one task per item, however many: a
 *   million items took 47 s and 1.3 GB before the first packet ran (an HTTP body of
 *   4 MiB holds two million). Now `FanoutLimitError` (`fanout_limit`) before any packet.
 * - `set { x: [state.x, state.x] }` in a loop doubled a value of shared references every
 *   step for a few operations; the checkpoint write of step 27 hung `rag run`. List and
 *   record literals are now charged by the size of what they keep (`expression`).
 * - `set { out: state.out }` on an `append` channel doubled the list every step (heap
 *   exhausted by step 30). A write to a channel that keeps it is charged by size.
 * - `max(input.xs)` over 500,000 numbers overflowed the stack (`Math.max(...xs)`).
 * - a prompt repeating `{{ input.s }}` 30 times over a 15 MB input built a 450 MB prompt
 *   (and sent it); a template's text is now charged as it grows.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { scripted } from "../../stdlib/index.js";
import { CompiledGraph, ExpressionError, FanoutLimitError, MAX_SEND_PACKETS, MemoryCheckpointer } from "../../runtime/index.js";

function graphOf(src: string): CompiledGraph {
  const reg = registryFromConfig({});
  const r = compile(src, { file: "attack.rag", registry: reg.view() });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: new MemoryCheckpointer() });
}

async function failure(g: CompiledGraph, input: Record<string, unknown>): Promise<Error & { code?: string }> {
  const started = Date.now();
  const r = await g.invoke(input, { threadId: "t" }).then(
    () => new Error("the run completed"),
    (e: Error) => e,
  );
  expect(Date.now() - started).toBeLessThan(5_000);
  return r;
}

describe("a fan-out is bounded before any packet is planned", () => {
  const fanout = graphOf("graph g { start a state { out: any[] append } node a { kind set send [w { i: i } for i in input.items -> out] join d } node w { kind set } node d { kind set next END } }");

  it("a send over 200,000 input items is refused with fanout_limit", async () => {
    const e = await failure(fanout, { items: Array.from({ length: 200_000 }, (_, i) => i) });
    expect(e).toBeInstanceOf(FanoutLimitError);
    expect(e.code).toBe("fanout_limit");
    expect(e.message).toContain(`would dispatch 200000 packets; one fan-out sends at most ${MAX_SEND_PACKETS}`);
  });

  it("several sends of one node count together", async () => {
    const g = graphOf("graph g { start a state { out: any[] append } node a { kind set send [w { i: i } for i in input.items -> out, w { i: i } for i in input.items -> out] join d } node w { kind set } node d { kind set next END } }");
    const e = await failure(g, { items: Array.from({ length: MAX_SEND_PACKETS / 2 + 1 }, (_, i) => i) });
    expect(e.code).toBe("fanout_limit");
  });

  it("the host sets the bound (RunOptions.maxSendPackets): lower or higher than the default", async () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => i);
    const e = await fanout.invoke({ items: items(6) }, { threadId: "low", maxSendPackets: 5 }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toMatchObject({ code: "fanout_limit", limit: 5, requested: 6 });
    expect((await fanout.invoke({ items: items(5) }, { threadId: "low5", maxSendPackets: 5 })).status).toBe("completed");
    expect((await fanout.invoke({ items: items(MAX_SEND_PACKETS + 1) }, { threadId: "high", maxSendPackets: MAX_SEND_PACKETS + 1 })).status).toBe("completed");
    // A bound that is not a number refuses (fail closed) rather than lifting the limit.
    await expect(fanout.invoke({ items: items(1) }, { threadId: "nan", maxSendPackets: Number.NaN })).rejects.toMatchObject({ code: "fanout_limit" });
  });

  it("a fan-out at the bound still runs", async () => {
    const r = await fanout.invoke({ items: Array.from({ length: 1_000 }, (_, i) => i) }, { threadId: "ok" });
    expect(r.status).toBe("completed");
  });
});

describe("a loop cannot grow the state for free", () => {
  it("a list literal repeating a state value is charged by size (no doubling of shared references)", async () => {
    const g = graphOf("graph g { start a state { x: any, n: number } node a { kind set set { x: [state.x, state.x], n: state.n + 1 } routes { when state.n < 60 -> a otherwise -> END } } }");
    const e = await failure(g, { x: 1, n: 0 });
    expect(e).toBeInstanceOf(ExpressionError);
    expect(e.code).toBe("expression");
    expect(e.message).toContain("the items of a list literal");
  });

  it("a record literal too", async () => {
    const g = graphOf("graph g { start a state { x: any, n: number } node a { kind set set { x: { l: state.x, r: state.x }, n: state.n + 1 } routes { when state.n < 60 -> a otherwise -> END } } }");
    const e = await failure(g, { x: 1, n: 0 });
    expect(e.code).toBe("expression");
    expect(e.message).toContain("the values of a record literal");
  });

  it("writing a channel to itself through `append` is charged by size (no doubling of the list)", async () => {
    const g = graphOf("graph g { start a state { out: any[] append, n: number } node a { kind set set { out: state.out, n: state.n + 1 } routes { when state.n < 22 -> a otherwise -> END } } }");
    const e = await failure(g, { out: [1], n: 0 });
    expect(e.code).toBe("expression");
    expect(e.message).toContain("the value written to `out`, kept by its append reducer");
  });

  it("an overwrite of a large value by reference is still one operation", async () => {
    const g = graphOf("graph g { start a state { x: any } node a { kind set set { x: input.big } next END } }");
    const r = await g.invoke({ big: Array.from({ length: 300_000 }, (_, i) => i) }, { threadId: "t" });
    expect((r.state.x as unknown[]).length).toBe(300_000);
  });
});

describe("list functions are charged and never overflow the stack", () => {
  for (const fn of ["max", "min", "sum"]) {
    it(`${fn}(input.xs) over 500,000 numbers is an expression error, not a stack overflow`, async () => {
      const g = graphOf(`graph g { start a state { m: any } node a { kind set set { m: ${fn}(input.xs) } next END } }`);
      const e = await failure(g, { xs: Array.from({ length: 500_000 }, (_, i) => i) });
      expect(e.code).toBe("expression");
      expect(e.message).toContain(`\`${fn}\` of 500000 numbers`);
    });
  }

  it("max over 50,000 numbers works", async () => {
    const g = graphOf("graph g { start a state { m: any } node a { kind set set { m: max(input.xs) } next END } }");
    const r = await g.invoke({ xs: Array.from({ length: 50_000 }, (_, i) => i) }, { threadId: "t" });
    expect(r.state.m).toBe(49_999);
  });
});

describe("a template is charged by the text it builds", () => {
  it("30 references to a 15 MB input stop at the budget; the model is never called", async () => {
    let calls = 0;
    const reg = registryFromConfig({ models: { m: { provider: scripted({ rules: [{ reply: () => (calls++, "ok") }] }) } } });
    const r = compile(`graph g { start a state { x: any } node a { model "m" prompt "${"{{ input.s }}".repeat(30)}" writes x next END } }`, { file: "a.rag", registry: reg.view() });
    const g = new CompiledGraph(r.value.blueprints[0], { registry: reg });
    const e = await g.invoke({ s: "x".repeat(15_000_000) }).then(() => new Error("completed"), (x: Error & { code?: string }) => x);
    expect((e as { code?: string }).code).toBe("expression");
    expect(e.message).toContain("a template rendering");
    expect(calls).toBe(0);
  });
});

describe("split is charged before it builds its list", () => {
  it("split(input.s, \"\") over 2,000,000 characters is an expression error", async () => {
    const g = graphOf('graph g { start a state { n: any } node a { kind set set { n: len(split(input.s, "")) } next END } }');
    const e = await failure(g, { s: "x".repeat(2_000_000) });
    expect(e.code).toBe("expression");
    expect(e.message).toContain("`split` of 2000000 characters");
  });
});
