/**
 * Red team 12b: `show_vars()` previews every variable (`formatValue`), which listed each
 * record's keys with a bare `Object.keys` — the native pass red team 10 charged everywhere
 * else (`recordKeys`). Uncharged, `while (true) show_vars()` beside a 200,000-key record
 * ran 146 listings (~275 ms each) between two reads of the clock: 40 s against a 300 ms
 * `timeoutMs`. The previews a script asks for are now charged to its cell: each record's
 * listing through `recordKeys`, and the preview record as it is copied in. Counted in
 * calls, not milliseconds.
 */
import { describe, expect, it } from "vitest";
import { codes, harness } from "../repl/helpers.js";

const BIG = `let o = Object.fromEntries(JSON.parse('[["k' + range(50000).join('",0],["k') + '",0]]'))\nlet n = 0\no.len()`;

describe("show_vars() is charged for the records it previews", () => {
  it("a loop of show_vars() beside a 50,000-key record stops at the operation limit within a few calls", async () => {
    const h = harness({ policy: { maxOperations: 20_000, timeoutMs: 5_000 } });
    expect((await h.run(BIG)).value).toBe(50_000);
    const r = await h.run("while (true) { show_vars(); n++ }");
    // Uncharged: thousands of previews (tens of ms each) before the operation limit, so the 5 s deadline.
    expect(codes(r)).toEqual(["E-ragsh-operation-limit"]);
    // 50,000 keys × KEY_LIST_WORK ≈ 3,100 operations a call.
    expect((await h.run("n")).value).toBeLessThanOrEqual(6);
  });

  it("show_vars() still previews every variable", async () => {
    const h = harness();
    await h.run('let a = 1\nlet b = {x: [1, 2], y: "s"}');
    expect((await h.run("show_vars()")).value).toEqual({ a: "1", b: '{x: [1, 2], y: "s"}' });
  });
});
