/**
 * Red team 12b, "rope": `+` on strings is charged the characters it adds (V8 builds a
 * rope sharing the longer operand), but the first read of a rope's characters (`t[0]`, a
 * method, a comparison, a key, `print`) makes V8 copy it flat, unseen by the cell's
 * memory budget. `const t = k + i; t[0]; xs.push(t)` over a 30,000,000-character `k`
 * kept ~30 MB a loop for ~10 bytes charged, and ended the process out of memory (V8
 * `SlowFlatten`). Now a read of a long string first checks the process's heap headroom
 * (`repl/heap-headroom.ts`) and stops the cell with `E-ragsh-memory-limit`; the session
 * and the process go on. The repro runs in a child process with a 512 MB heap (an out of
 * memory death must not take the test runner with it).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NO_HEADROOM_PREVIEW, type HeapReading } from "../../repl/heap-headroom.js";
import { codes, harness } from "../repl/helpers.js";

const root = new URL("../../", import.meta.url).pathname;

/** A heap probe reporting `used` bytes (changeable) of a 1 GiB limit, counting its calls. */
function fakeProbe(used: number) {
  const probe = Object.assign((): HeapReading => (probe.calls++, { usedBytes: probe.used, limitBytes: 2 ** 30 }), { calls: 0, used });
  return probe;
}
const NEAR_LIMIT = 0.9 * 2 ** 30;

describe("reading ropes is checked against the heap's headroom", () => {
  it("the red team's loop ends with E-ragsh-memory-limit under a 512 MB heap, not out of memory", () => {
    const r = spawnSync(process.execPath, ["--max-old-space-size=512", "--import", "tsx", join(root, "test/security/fixtures/rope-flatten-session.ts")], { cwd: root, encoding: "utf8", timeout: 120_000 });
    // Before the fix: V8's fatal "JavaScript heap out of memory" (SIGABRT / status 134), no line for the loop's cell.
    expect({ status: r.status, signal: r.signal }).toEqual({ status: 0, signal: null });
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { cell: number; ok: boolean; codes: string[]; messages: string[]; value: number | null });
    expect(lines.map((l) => l.cell)).toEqual([0, 1, 2]);
    expect(lines[1].ok).toBe(false);
    expect(lines[1].codes).toContain("E-ragsh-memory-limit");
    expect(lines[1].messages.some((m) => /heap .* is near its limit/.test(m))).toBe(true);
    // The session answers the next cell.
    expect(lines[2]).toMatchObject({ ok: true, value: 2 });
  }, 150_000);

  it("a read of a long string near the heap's limit stops the cell; its length, short strings and the session go on", async () => {
    const probe = fakeProbe(0);
    const h = harness({ heapProbe: probe });
    expect((await h.run('let k = "1".repeat(100000)\nk.length')).value).toBe(100_000);
    probe.used = NEAR_LIMIT;
    for (const read of ["k[0]", "k.slice(0, 3)", "k < \"2\"", "({[k]: 1})", "print(k)", "const [c] = k"]) expect(codes(await h.run(read))).toEqual(["E-ragsh-memory-limit"]);
    const calls = probe.calls;
    expect((await h.run('"abc"[0] + "abc".slice(1) + k.length')).value).toBe("abc100000");
    expect(probe.calls).toBe(calls);
  });

  it("building a long string with `+=` probes nothing in the loop; reading it probes once", async () => {
    const probe = fakeProbe(0);
    const h = harness({ heapProbe: probe });
    const r = await h.run('let s = ""\nfor (const i of range(2000)) s += "x".repeat(100)\ns.length');
    expect(r.value).toBe(200_000);
    // One probe: the preview of `s` after the cell (a probe per `+` would be one per 1,024 operations at least).
    expect(probe.calls).toBe(1);
    expect((await h.run("s[0]")).value).toBe("x");
    expect(probe.calls).toBe(2);
  });

  it("the preview after a cell does not read a long string the heap has no room to copy", async () => {
    const probe = fakeProbe(0);
    const h = harness({ heapProbe: probe });
    await h.run('let k = "1".repeat(100000)');
    probe.used = NEAR_LIMIT;
    const r = await h.run('let t = k + "x"');
    expect(r.ok).toBe(true);
    expect(h.events.find((e) => e.type === "variable_changed" && e.name === "t")).toMatchObject({ preview: NO_HEADROOM_PREVIEW });
  });
});
