/**
 * Red team 12A: Node fires a timer longer than 2^31 − 1 ms (~24.8 days) after 1 ms. A node
 * with `timeout 600h` — on review, a day-long allowance — failed "timed out after
 * 2160000000 ms" the moment its tool awaited anything, and a retry `max_delay` past it
 * did not wait. Delays are now capped at the longest a timer takes (`MAX_TIMER_MS`).
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { tool } from "../../registry/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import { runGraph } from "../helpers/run-graph.js";

describe("red team 12A: timeouts past Node's 32-bit timer", () => {
  it("a tool node with `timeout 600h` whose tool waits a moment completes", async () => {
    const registry = registryFromConfig({ tools: { slow: tool({ description: "Waits a moment.", schema: z.object({}), run: async () => (await new Promise((r) => setTimeout(r, 20)), "ok") }) } });
    const r = await runGraph('graph g { start a state { out: any } node a { kind tool tool "slow" timeout 600h writes { out: result } next END } }', {}, { registry });
    expect(r.status).toBe("completed");
    expect(r.state.out).toBe("ok");
  });
});
