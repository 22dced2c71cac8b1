/**
 * Red team 12b: after every cell, each variable the cell changed gets a preview
 * (`variable_changed`, `formatValue`), and each record in it had its keys listed with
 * `Object.keys` — outside the cell's limits, once per name. A 4,000-operation cell of
 * 2,000 lines `aN = o` (or `aN = {x: o}`) beside a 50,000-key record `o` took 92 s against
 * a 300 ms `timeoutMs`. The previews of one cell now share one listing per record
 * (`keyCache`), so the work after a cell is bounded by what the session holds, as its
 * `maxSessionMemoryBytes` measure is. Counted in listings, not milliseconds.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { codes, harness } from "../repl/helpers.js";

const BIG = `let o = Object.fromEntries(JSON.parse('[["k' + range(50000).join('",0],["k') + '",0]]'))\no.len()`;

/** Counts native listings of 50,000 keys or more while `f` runs. */
async function largeListings(f: () => Promise<unknown>): Promise<number> {
  const keys = Object.keys;
  let n = 0;
  const spy = vi.spyOn(Object, "keys").mockImplementation((o: object) => {
    const k = keys(o);
    if (k.length >= 50_000) n++;
    return k;
  });
  try {
    await f();
  } finally {
    spy.mockRestore();
  }
  return n;
}

describe("the previews after a cell list each record once", () => {
  afterEach(() => vi.restoreAllMocks());

  for (const [name, line] of [["names of one record", (i: number) => `a${i} = o`], ["small records holding it", (i: number) => `a${i} = {x: o}`]] as const) {
    it(`200 ${name}: one listing of the 50,000 keys, not 200`, async () => {
      const previews: string[] = [];
      const h = harness({ sink: (e) => void (e.type === "variable_changed" && previews.push(String((e as { preview?: unknown }).preview))) });
      expect((await h.run(BIG)).value).toBe(50_000);
      previews.length = 0;
      const src = `${Array.from({ length: 200 }, (_, i) => line(i)).join("\n")}\n0`;
      let r: Awaited<ReturnType<typeof h.run>> | undefined;
      const n = await largeListings(async () => void (r = await h.run(src)));
      expect(codes(r!)).toEqual([]);
      expect(n).toBe(1); // listed once (keyCache), and the spy does see the listing
      // Every changed name still has its preview.
      expect(previews.filter((p) => p.includes("k0: 0"))).toHaveLength(200);
    });
  }
});
