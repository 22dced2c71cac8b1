/**
 * `rag worker` prints what it refused outside a job (a forged cancellation): text whoever
 * can publish to Redis chose. Review 12: it was written raw — terminal escapes and a
 * flood of lines came through.
 */
import { describe, expect, it } from "vitest";
import { noticePrinter } from "../../cli/notices.js";

describe("rag worker notices", () => {
  it("escapes control characters, cuts long text and prints at most 5 a second, counting the rest", () => {
    const lines: string[] = [];
    let t = 10_000;
    const print = noticePrinter((l) => lines.push(l), () => t);
    print({ code: "forged_cancel", message: "run r1\u001b]0;pwned\u0007\u001b[2J", target: "run:r1" });
    expect(lines[0]).toBe("worker: forged_cancel: run r1\\x1b]0;pwned\\x07\\x1b[2J\n");
    print({ code: "forged_cancel", message: "x".repeat(2048), target: "run:r1" });
    expect(lines[1]!.length).toBeLessThan(340);
    expect(lines[1]).toContain("…");
    for (let i = 0; i < 20; i++) print({ code: "forged_cancel", message: `m${i}`, target: "run:r1" });
    expect(lines).toHaveLength(5);
    t += 1000;
    print({ code: "forged_cancel", message: "next", target: "run:r1" });
    expect(lines[5]).toBe("worker: forged_cancel: next (17 more notices not shown)\n");
  });
});
