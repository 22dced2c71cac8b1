/**
 * The parser builds CST children in plain objects (grammar/rag/parser.ts,
 * `cstInvocationStateUpdate`), which is only safe while no child key — rule name, token
 * name or label — is a member of `Object.prototype`.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("CST child keys", () => {
  it("none is a member of Object.prototype", () => {
    const dts = readFileSync(new URL("../../grammar/rag/cst.generated.d.ts", import.meta.url), "utf8");
    const keys = new Set([...dts.matchAll(/^\s+(\w+)\??:/gm)].map((m) => m[1]));
    expect(keys.size).toBeGreaterThan(50);
    const clash = [...keys].filter((k) => k in Object.prototype);
    expect(clash).toEqual([]);
    expect("constructor" in Object.prototype).toBe(true);
  });
});
