/**
 * Issue 10, third audit: what a `.ragsh` session keeps between cells. Each cell was bounded
 * (`maxMemoryBytes`), but its variables were not: cell after cell keeping ~60 MB each (a
 * person's session, or one CodeAct reply of many ```ragsh blocks) ran the host out of heap
 * and aborted the process (exit 134) after ~140 cells. Now the variables a session keeps
 * are measured after every cell and held to `maxSessionMemoryBytes`.
 */
import { describe, expect, it } from "vitest";
import { codes, harness } from "../repl/helpers.js";

/** A cell keeping about `mb` MB (2 bytes per character) in variable `name`, flattened (really allocated). */
const keep = (name: string, mb: number) => `let ${name} = "x" + "y".repeat(${Math.round((mb * 1_000_000) / 2)})\n${name}.indexOf("q")`;

describe("memory a session keeps between cells", () => {
  it("under the default policy, cells of 60 MB each stop at the session bound; what was kept stays, the next cell runs", { timeout: 20_000 }, async () => {
    const h = harness({ author: "model" });
    let refused = -1;
    for (let i = 0; i < 8 && refused < 0; i++) {
      const r = await h.run(keep(`v${i}`, 60));
      if (!r.ok) {
        expect(codes(r)).toEqual(["E-ragsh-memory-limit"]);
        expect(r.diagnostics[0].message).toMatch(/maxSessionMemoryBytes.*assignments were undone \(`v\d`\)/);
        refused = i;
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(5); // 256 MiB / 60 MB
    expect(h.session.variableNames()).not.toContain(`v${refused}`);
    const after = await h.run("v0.length");
    expect(after.ok).toBe(true);
    expect(after.value).toBe(30_000_001);
  });

  const policy = { maxMemoryBytes: 2_000_000, maxSessionMemoryBytes: 4_000_000 };
  // [what, cells, the last one's code, the variables kept afterwards, a cell reading them and its value]
  const SHAPES: readonly [string, string[], string | undefined, string[], string, unknown][] = [
    ["new variables, one per cell", [keep("a", 1.5), keep("b", 1.5), keep("c", 1.5)], "E-ragsh-memory-limit", ["a", "b"], "a.length + b.length", 1_500_002],
    ["a variable reassigned to a bigger value is restored", [keep("a", 1.5), keep("b", 1.5), 'a = a + "z".repeat(500000)\na.indexOf("q")'], "E-ragsh-memory-limit", ["a", "b"], "a.length", 750_001],
    ["a list grown in place over several cells clears the variables", ["let xs = []", ...Array.from({ length: 4 }, () => 'for (let i = 0; i < 15000; i++) xs.push("abcdefghijklmnopqrstuvwxyz0123456789" + i)')], "E-ragsh-memory-limit", [], "1 + 1", 2],
    ["a closure keeping a value alive counts", [keep("a", 1.5), 'let f = (() => { let big = "x" + "y".repeat(1000000)\nbig.indexOf("q")\nreturn () => big.length })()'], "E-ragsh-memory-limit", ["a"], "a.length", 750_001],
    ["a record of many keys counts", [keep("a", 1.5), keep("b", 1.5), 'let o = {}\nfor (let i = 0; i < 40000; i++) o["k" + i] = i'], "E-ragsh-memory-limit", ["a", "b"], "a.length", 750_001],
    ["a bound method keeps its list", [keep("a", 1.5), keep("b", 1.5), "let xs = range(150000)\nlet p = xs.push\nxs = null"], "E-ragsh-memory-limit", ["a", "b"], "a.length", 750_001],
    ["a cyclic value is counted once (held)", ["let a = []\na.push(a)\nfor (let i = 0; i < 1000; i++) a.push(a)", keep("b", 1.5)], undefined, ["a", "b"], "a.length", 1001],
    ["a list shared 2^20 times is counted once (held)", ['let s = ["x"]\nfor (let i = 0; i < 20; i++) s = [s, s]', keep("b", 1.5)], undefined, ["s", "b"], "s.length", 2],
  ];
  for (const [what, cells, code, kept, probe, expected] of SHAPES) {
    it(`${what} → ${code ?? "held"}; the session goes on`, async () => {
      const h = harness({ author: "model", policy });
      const results = [];
      for (const c of cells) results.push(await h.run(c));
      const last = results.at(-1)!;
      if (code) {
        expect(codes(last)).toEqual([code]);
        expect(results.slice(0, -1).map((r) => r.ok)).toEqual(cells.slice(1).map(() => true));
      } else expect(results.map((r) => r.ok)).toEqual(cells.map(() => true));
      expect(h.session.variableNames().sort()).toEqual([...kept].sort());
      const after = await h.run(probe);
      expect(after.ok, JSON.stringify(after.diagnostics)).toBe(true);
      expect(after.value).toEqual(expected);
    });
  }

  // Fifth round: the session's record of its cells (what `:history` lists and the `history`
  // binding reads) kept every cell's whole source for the session's life, so a client sending
  // large cells (a 4 MiB `POST /api/repl` body of comment, say) grew the server's heap
  // without bound. It keeps the newest cells, each source cut to a bound.
  it("the record of past cells keeps the newest cells, each source cut to a bound, however many large cells ran", { timeout: 20_000 }, async () => {
    const h = harness({ author: "model" });
    // Over the script length limit (refused, but recorded), and under it (run).
    const big = `// ${"x".repeat(400_000)}\n1`;
    const fits = `// ${"x".repeat(60_000)}\n1`;
    for (let i = 0; i < 130; i++) {
      const r = await h.run(i % 2 ? fits : big);
      expect(r.ok).toBe(i % 2 === 1);
    }
    const kept = h.session.history;
    expect(kept.length).toBe(100);
    expect(kept.at(-1)!.cellId).toBe("c130");
    const chars = kept.reduce((n, c) => n + c.source.length + c.stdout.length, 0);
    expect(chars).toBeLessThanOrEqual(100 * 66_000);
    expect(kept[0].source.startsWith("// xxx")).toBe(true);
    // The script still reads the newest cells, in order.
    const r = await h.run("[history.length, history[history.length - 1].cell]");
    expect(r.value).toEqual([100, "c130"]);
  });
});
