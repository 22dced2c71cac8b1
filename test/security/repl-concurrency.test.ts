/**
 * Red-team tests: cells of the studio's one `.ragsh` session sent concurrently over the
 * HTTP API (`POST /api/repl`). A cell that awaits a capability used to let the next
 * request's cell start inside the same session and overwrite its current-cell state
 * (output, id, limits): cells of one session now run one at a time, in arrival order,
 * and past `MAX_QUEUED_CELLS` waiting a request is refused with 429 `repl_busy`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_QUEUED_CELLS } from "../../server/index.js";
import { testStudio, type TestStudio } from "../server/helpers.js";

interface CellReply {
  readonly ok: boolean;
  readonly stdout: string;
  readonly value: unknown;
  readonly diagnostics: string;
  readonly error?: { code: string; message: string };
}

let s: TestStudio;
beforeEach(async () => {
  s = await testStudio();
});
afterEach(async () => {
  await s.close();
});

/**
 * A cell that sets `mine<i>`, suspends on file reads (real I/O, so other requests arrive
 * meanwhile), then prints and returns what it sees.
 */
const cell = (i: number, reads = 8) =>
  `let mine${i} = ${i}\nprint("start ${i}")\nlet k = 0\nwhile k < ${reads} { tool_call({tool: "read_repo", arguments: {path: "package.json"}}); k += 1 }\nprint("end ${i}", mine${i})\n[mine${i}, cells_seen()]`;

describe("concurrent cells of one .ragsh session over HTTP", () => {
  it("run one at a time in arrival order: each sees only its own output and the cells before it", async () => {
    await s.api("POST", "/api/repl", { source: "let order = []\nfn cells_seen() { order.push(order.length); return order.length }" });
    const n = MAX_QUEUED_CELLS;
    const replies = await Promise.all(Array.from({ length: n }, (_, i) => s.api<CellReply>("POST", "/api/repl", { source: cell(i) })));
    for (const [i, r] of replies.entries()) {
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect(r.json.diagnostics).toBe("");
      // Its own output only, whole: no other cell's `print` landed in it.
      expect(r.json.stdout).toBe(`start ${i}\nend ${i} ${i}\n`);
      // As if run alone after cells 0..i-1: the i-th cell to run.
      expect(r.json.value).toEqual([i, i + 1]);
    }
    const after = await s.api<CellReply>("POST", "/api/repl", { source: "order" });
    expect(after.json.value).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it("refuses a cell past the queue's depth with 429 repl_busy, and runs the rest", async () => {
    const n = MAX_QUEUED_CELLS + 3;
    const replies = await Promise.all(Array.from({ length: n }, (_, i) => s.api<CellReply>("POST", "/api/repl", { source: cell(i, 40).replace(", cells_seen()", "") })));
    const ran = replies.filter((r) => r.status === 200);
    const refused = replies.filter((r) => r.status !== 200);
    expect(ran.length).toBe(MAX_QUEUED_CELLS);
    expect(refused.length).toBe(3);
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.json.error?.code).toBe("repl_busy");
    }
    for (const r of ran) expect(r.json.ok).toBe(true);
    // The session is usable afterwards.
    expect((await s.api<CellReply>("POST", "/api/repl", { source: "1 + 1" })).json.value).toBe(2);
  });
});
