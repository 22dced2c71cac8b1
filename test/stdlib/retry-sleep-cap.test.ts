/**
 * Red team 12A (timer overflow): Node fires a timer longer than 2^31 − 1 ms after 1 ms,
 * so a `retry { max_delay 600h }` backoff did not wait at all. The middleware's sleep caps
 * the delay at that maximum instead.
 */
import { describe, expect, it } from "vitest";
import { sleep } from "../../stdlib/middleware/util.js";

describe("the retry backoff's sleep", () => {
  it("waits on a delay past Node's timer maximum (600 h) instead of firing at once", async () => {
    const ac = new AbortController();
    const slept = sleep(600 * 3600_000, ac.signal).then(() => "woke", (e: unknown) => `aborted: ${String(e)}`);
    const first = await Promise.race([slept, new Promise((ok) => setTimeout(() => ok("still waiting"), 50))]);
    ac.abort("done");
    expect(first).toBe("still waiting");
    expect(await slept).toBe("aborted: done");
  });
});
