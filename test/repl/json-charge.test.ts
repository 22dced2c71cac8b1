/**
 * `JSON.stringify` in a `.ragsh` cell is charged the text it is about to build, before
 * building it (issue 10 §2: every built-in charges its real cost first). A string costs
 * its escaped length: a control character is 6 characters in JSON (`\u0001`), so a
 * string of them charged at its own length let one call build 6× what the cell paid.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonStringLength, toHost } from "../../repl/boundary.js";
import { harness } from "./helpers.js";

describe("jsonStringLength", () => {
  it("is the length of JSON.stringify's literal for any string (controls, quotes, lone and paired surrogates)", () => {
    const unit = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0xd7f0, max: 0xe010 }), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 40 }), (codes) => {
        const s = String.fromCharCode(...codes);
        expect(jsonStringLength(s)).toBe(JSON.stringify(s).length);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("JSON.stringify's charge", () => {
  it("covers the text it builds: keys and strings at their escaped length", () => {
    const value = { ["\u0001".repeat(100)]: "\u0002".repeat(1000), q: '"'.repeat(50) };
    let charged = 0;
    const plain = toHost(value as never, { functions: "describe", what: "test", json: true, charge: (b) => (charged += b) });
    expect(charged).toBeGreaterThanOrEqual(2 * JSON.stringify(plain).length);
  });

  it("a string of control characters whose JSON exceeds the memory budget stops the cell before the text is built; the session goes on", async () => {
    // 300,000 characters cost 0.6 MB; their JSON (1.8M characters, 3.6 MB) does not fit 2 MB.
    const h = harness({ policy: { maxMemoryBytes: 2_000_000, timeoutMs: 10_000 } });
    const r = await h.run('let s = "\\u0001".repeat(300000)\nJSON.stringify(s).length');
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["E-ragsh-memory-limit"]);
    expect((await h.run("1 + 1")).value).toBe(2);
    // under the budget, the same call works and returns JSON.stringify's text
    expect((await h.run('JSON.stringify("a\\u0001\\"b")')).value).toBe(JSON.stringify('a\u0001"b'));
  });
});
