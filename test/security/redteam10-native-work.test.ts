/**
 * Red team round 10: built-in methods of a `.ragsh` cell that did native work over a
 * whole list or record without charging it. `list.shift()` moves every remaining item
 * (O(n)) and a record's `len()` lists every key (`Object.keys`): neither was charged, and
 * the clock is read only every 1,024 operations, so a loop of them held the event loop
 * far past the deadline (≈ 60 s for a 100 ms limit). Each is now charged before the work
 * (`rt.work`, which reads the clock as it charges; a key listed as `KEY_LIST_WORK` units,
 * measured against an item moved): the loop stops at the operation limit within a few
 * dozen calls. Counted in calls, not milliseconds (a time bound is flaky on
 * a loaded machine).
 */
import { describe, expect, it } from "vitest";
import { KEY_LIST_WORK } from "../../repl/costs.js";
import { recordKeys } from "../../repl/record-keys.js";
import { codes, harness } from "../repl/helpers.js";

describe("native work over a whole list or record is charged before it runs", () => {
  it("shift: a loop shifting a 1,000,000-item list stops at the operation limit within a few dozen shifts", async () => {
    const h = harness({ policy: { maxOperations: 100_000, timeoutMs: 5_000 } });
    const r = await h.run("let xs = range(1000000)\nlet n = 0\nwhile (xs.length) { xs.shift(); n++ }\nn");
    // Uncharged: ≈ 16,000 shifts of ~1 ms each before the operation limit, so the 5 s deadline (E-ragsh-timeout).
    expect(codes(r)).toEqual(["E-ragsh-operation-limit"]);
    // 1,000,000 items ≈ 3,900 operations per shift (range's own charge included): about 25 shifts.
    expect((await h.run("n")).value).toBeLessThanOrEqual(30);
  });

  it("the red team's cell under a 100 ms limit ends at the deadline, not a minute later", async () => {
    const h = harness({ policy: { timeoutMs: 100 } });
    const t0 = Date.now();
    const r = await h.run("let xs = range(4000000)\nlet n = 0\nwhile (xs.length) { xs.shift(); n++ }\nn");
    expect(codes(r)).toEqual(["E-ragsh-timeout"]);
    // It ran ~60 s (the clock read every 1,024 operations); now `range` reads it while it
    // builds and each shift before it runs. The bound is far above a loaded machine's delays.
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it("shift still shifts: the first item, or undefined on an empty list", async () => {
    const h = harness();
    expect((await h.run("let q = [1, 2, 3]\n[q.shift(), q, [].shift()]")).value).toEqual([1, [2, 3], undefined]);
  });

  // Every way of listing a record's keys goes through `recordKeys` (repl/record-keys.ts).
  const listings: [string, string][] = [
    ["len()", "o.len()"],
    ["keys()", "o.keys()"],
    ["Object.entries", "Object.entries(o)"],
    ["for … in", "for (const k in o) break"],
  ];
  for (const [name, call] of listings) {
    it(`a record's ${name}: a loop over a 50,000-key record stops at the operation limit within a few calls`, async () => {
      const h = harness({ policy: { maxOperations: 20_000, timeoutMs: 5_000 } });
      // 50,000 keys from one list of pairs (a loop would need more operations than the policy allows).
      const setup = `let o = Object.fromEntries(JSON.parse('[["k' + range(50000).join('",0],["k') + '",0]]'))\nlet n = 0\no.len()`;
      expect((await h.run(setup)).value).toBe(50_000);
      const r = await h.run(`while (true) { ${call}; n++ }`);
      // Uncharged (len) or charged one unit a key: thousands of listings of 50,000 keys
      // (tens of ms each) before the operation limit, past the 5 s deadline.
      expect(codes(r)).toEqual(["E-ragsh-operation-limit"]);
      // 50,000 keys × KEY_LIST_WORK ≈ 3,100 operations per listing: the seventh cannot start.
      expect((await h.run("n")).value).toBeLessThanOrEqual(6);
    });
  }

  // One call over a long list or string, under a budget its native work exceeds.
  const single: [string, string, number][] = [
    ["range", "range(4000000).length", 4_000_000],
    ["toUpperCase", 'let s = "x".repeat(4000000)\ns.toUpperCase().length', 4_000_000],
    ["JSON.stringify", 'let s = "x".repeat(4000000)\nJSON.stringify(s).length', 4_000_002],
  ];
  for (const [name, cell, length] of single) {
    it(`${name} is charged for the items or characters it builds or reads`, async () => {
      const h = harness({ policy: { maxOperations: 10_000 } });
      // 4,000,000 items or characters ≈ 15,600 operations; uncharged, the cell succeeded within 10,000.
      expect(codes(await h.run(cell))).toEqual(["E-ragsh-operation-limit"]);
      // Under the default budget it runs, with the same result.
      expect((await harness().run(cell)).value).toBe(length);
    });
  }

  it("a record listed before is charged its last key count before the next listing runs", () => {
    let listings = 0;
    const keys = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]));
    // A proxy sees the native listing (`ownKeys`); session records are plain objects.
    const o = new Proxy(keys, { ownKeys: (t) => (listings++, Reflect.ownKeys(t)) });
    const charged: number[] = [];
    const rt = { alloc: () => undefined, work: (n: number) => void charged.push(n) };
    expect(recordKeys(rt, o)).toHaveLength(1000);
    // The first listing is measured by running it, then charged at once.
    expect([listings, charged]).toEqual([1, [1000 * KEY_LIST_WORK]]);
    const refuse = { alloc: () => undefined, work: () => { throw new Error("over budget"); } };
    expect(() => recordKeys(refuse, o)).toThrow("over budget");
    // The second was refused before it listed anything.
    expect(listings).toBe(1);
  });
});
