/**
 * Red team 8: concurrent streams under one budget. A call reserves its estimate (input
 * plus 256 output tokens by default) while its reply may run to what the budget has left;
 * a stream is stopped once its output, with what is spent and what other calls reserved,
 * would cross the limit. The other calls' streams counted only at their reservations, so
 * four branches of a fan-out streaming from a server that ignores `maxOutputTokens` were
 * each stopped near the limit less the others' estimates: the thread spent 5,004 tokens
 * of a 2,000-token run budget. What a stream uses past its reservation is now counted at
 * once for every other call (`stdlib/middleware/budget.ts`, overruns), so the thread ends
 * at the limit plus at most the last piece each stream read.
 */
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { spentAt } from "../../runtime/checkpoint/types.js";
import { CompiledGraph, MemoryCheckpointer, type RunEvent } from "../../runtime/index.js";
import { openaiProvider } from "../../stdlib/index.js";
import { chatChunk as chunk, closeReplyServers, SSE_DONE, streamingServer, USAGE_CHUNK_1_1 } from "../helpers/reply-server.js";

afterEach(closeReplyServers);

describe("red team 8: a fan-out of streams under one budget", () => {
  it("four concurrent streams that ignore the cap end at the run's budget, not at four times what each saw left", async () => {
    // Each stream would send 200,000 characters in 100-character pieces (25 tokens each).
    const s = await streamingServer([], () => chunk({ content: "x".repeat(99) + " " }), 2_000, [chunk({}, "stop"), USAGE_CHUNK_1_1, SSE_DONE]);
    const reg = registryFromConfig({ models: { m: { provider: openaiProvider({ baseURL: `${s.url}/v1`, apiKey: "k" }) } } });
    const src = 'graph g { start a budget { tokens: 2000 } state { out: any[] append } node a { kind set send [w { i: i } for i in [1,2,3,4] -> out] concurrency 4 join d } node w { model "m" prompt "p" optional true } node d { kind set next END } }';
    const r = compile(src, { file: "fan.rag", registry: reg.view() });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const saver = new MemoryCheckpointer();
    const g = new CompiledGraph(r.value.blueprints[0]!, { registry: reg, checkpointer: saver });
    const events: RunEvent[] = [];
    for await (const e of g.stream({}, { threadId: "t", mode: ["events", "messages"] })) if ((e as RunEvent).type) events.push(e as RunEvent);
    // The branches were stopped (optional: the run goes on past them) …
    const stopped = events.filter((e) => e.type === "task_failed" && /budget exceeded: the reply of node `w` was stopped/.test(String((e as { error?: { message?: unknown } }).error?.message)));
    expect(stopped.length).toBeGreaterThan(0);
    // … and the thread spent its budget plus at most the last 100-character piece of each stream.
    const spent = spentAt((await saver.getTuple({ threadId: "t" }))!);
    expect(spent.tokens).toBeGreaterThanOrEqual(2_000);
    expect(spent.tokens).toBeLessThanOrEqual(2_000 + 4 * 25);
  });
});
